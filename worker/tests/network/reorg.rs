//! A re-org that orphans the block carrying the providers' reveals, on a two-validator chain
//! (`--chain local`: Alice and Bob validate, and GRANDPA needs both to finalize).
//!
//! The validators are cut apart after the providers' commits are final, so each builds its
//! own fork. The providers reveal on Alice's fork; Alice's node then stops while Bob's fork
//! grows heavier, and when Alice comes back she re-orgs onto Bob's fork, where nobody has
//! revealed. Providers that forgot their salts once their reveal was in a block would now be
//! no-shows; these must reveal again, be paid, and forget the salts only once that is final.

use crate::common::*;
use codec::Decode;
use concord_worker::chain::{Client, Hash, Header};
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;
use sp_consensus_babe::{digests::PreDigest, BABE_ENGINE_ID};
use sp_runtime::{traits::Header as _, DigestItem};
use std::path::Path;

/// A validator that builds its own fork when it has no peers, instead of waiting for the
/// network.
const FORCE_AUTHORING: &[&str] = &["--force-authoring"];

/// BABE's fork choice: the chain with the most primary-slot blocks wins, the longer one on a
/// tie. This is a chain's count, from `tip` down to genesis.
async fn primary_blocks(client: &Client, tip: &Header) -> u32 {
	let mut count = 0;
	let mut header = tip.clone();
	while header.number > 0 {
		let primary = header.digest.logs.iter().any(|item| match item {
			DigestItem::PreRuntime(id, data) if *id == BABE_ENGINE_ID => {
				matches!(PreDigest::decode(&mut &data[..]), Ok(PreDigest::Primary(_)))
			}
			_ => false,
		});
		count += u32::from(primary);
		header = client.header(*header.parent_hash()).await.unwrap();
	}
	count
}

/// The jobs whose salts the worker of `name` still keeps.
fn journaled(dir: &Path, name: &str, genesis: Hash) -> Vec<String> {
	let commitments = state_dir(dir, name).join(hex::encode(genesis)).join("commitments");
	std::fs::read_dir(commitments)
		.map(|entries| {
			entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect::<Vec<_>>()
		})
		.unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reveal_orphaned_by_a_reorg_is_made_again_from_the_kept_salt() {
	let dir = tempfile::tempdir().unwrap();
	let dir = dir.path();
	let alice = Validator::new("local", "alice", 1);
	let bob = Validator::new("local", "bob", 2);
	let (alice_port, bob_port) = (free_port(), free_port());
	let (alice_node, rpc) = alice.start(dir, alice_port, None, FORCE_AUTHORING);
	let (bob_node, bob_rpc) = bob.start(dir, bob_port, Some((&alice, alice_port)), FORCE_AUTHORING);
	let client = Client::connect(&rpc).await.unwrap();

	// Three of the twelve providers are drawn; two of them run, the third never answers, so
	// the commit phase lasts its whole window and the validators can be cut apart before
	// anyone reveals.
	let job = submit_job(
		&rpc,
		&["--kernel", "sort-u32", "--params", "256", "--random-input", "3"]
			.into_iter()
			.chain(["--replicas", "3", "--quorum", "2"])
			.chain(["--commit-window", "24", "--reveal-window", "100"])
			.collect::<Vec<_>>(),
	);
	let drawn = wait_for(&client, job, |info| !info.assignees.is_empty())
		.await
		.unwrap_or_else(|| panic!("the job was not drawn\n{}", logs(dir)));
	let drawn = names_of(drawn.assignees.iter().map(|a| &a.provider));
	let running = [drawn[0], drawn[1]];
	let _workers: Vec<Process> = running.iter().map(|name| start_worker(&rpc, name, dir)).collect();
	let both_committed = |info: &pallet_jobs::JobInfoOf<concord_runtime::Runtime>| {
		info.assignees.iter().filter(|a| a.commitment.is_some()).count() == 2
	};
	let committed = wait_for_final(&client, job, both_committed).await;
	let committed = committed.unwrap_or_else(|| panic!("no final commits\n{}", logs(dir)));
	assert!(matches!(committed.phase, Phase::Committing { .. }), "{committed:?}");

	// Cut apart: Bob's node comes back on another port and dials nobody, so each validator
	// builds its own fork from here.
	bob_node.kill();
	let bob_alone = free_port();
	let (bob_node, bob_rpc_again) = bob.start(dir, bob_alone, None, FORCE_AUTHORING);
	assert_eq!(bob_rpc_again, bob_rpc);
	let bob_client = Client::connect(&bob_rpc).await.unwrap();

	// Alice's fork reaches the end of the commit window, and the two reveal there.
	let (orphan, revealed) =
		wait_for_at(&client, job, |info| matches!(info.phase, Phase::Attested { .. }))
			.await
			.unwrap_or_else(|| panic!("no attestation on Alice's fork\n{}", logs(dir)));
	assert!(revealed.assignees.iter().filter(|a| a.revealed.is_some()).count() == 2);
	for name in running {
		assert!(!journaled(dir, name, client.genesis()).is_empty(), "{name} kept its salt");
	}
	let orphan_number = client.header(orphan).await.unwrap().number;
	let alice_tip = client.best_header().await.unwrap();
	let alice_weight = primary_blocks(&client, &alice_tip).await;
	alice_node.kill();
	drop(client);

	// Bob's fork grows until BABE prefers it to Alice's, by a margin of one block that Alice
	// may have authored after her tip was read.
	let alice_weight = alice_weight + 1;
	let heavier = async {
		let mut heads = bob_client.best_heads().await.unwrap();
		while let Some(head) = heads.next().await {
			let head = head.unwrap();
			let weight = primary_blocks(&bob_client, &head).await;
			if weight > alice_weight
				|| (weight == alice_weight && head.number > alice_tip.number + 1)
			{
				return;
			}
		}
	};
	tokio::time::timeout(STAGE_TIMEOUT, heavier)
		.await
		.unwrap_or_else(|_| panic!("Bob's fork never outweighed Alice's\n{}", logs(dir)));

	// Alice comes back dialing Bob, and follows his fork: the block with the reveals is
	// orphaned. The workers reconnect to her by themselves.
	let (_alice_node, _) = alice.start(dir, alice_port, Some((&bob, bob_alone)), FORCE_AUTHORING);
	let client = Client::connect(&rpc).await.unwrap();
	let attested = wait_for_final(&client, job, |info| !info.phase.is_open())
		.await
		.unwrap_or_else(|| panic!("the job did not end on the final chain\n{}", logs(dir)));
	let final_hash = client.block_hash(orphan_number).await.unwrap();
	assert_ne!(final_hash, Some(orphan), "the reveals' block was orphaned");
	assert!(matches!(attested.phase, Phase::Attested { .. }), "{attested:?}\n{}", logs(dir));
	for assignee in &attested.assignees {
		let name = names_of([&assignee.provider])[0];
		let expected =
			if running.contains(&name) { JobOutcome::Agreed } else { JobOutcome::NoShow };
		assert_eq!(assignee.outcome, Some(expected), "{name}: {attested:?}\n{}", logs(dir));
	}

	// Once the reveal is final, the salts are forgotten.
	let forgotten = async {
		let mut heads = client.best_heads().await.unwrap();
		while heads.next().await.is_some() {
			if running.iter().all(|name| journaled(dir, name, client.genesis()).is_empty()) {
				return;
			}
		}
	};
	tokio::time::timeout(STAGE_TIMEOUT, forgotten)
		.await
		.unwrap_or_else(|_| panic!("the salts were kept after the job ended\n{}", logs(dir)));
	drop(bob_node);
}
