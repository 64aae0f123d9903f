//! Faults of the network itself, on `--chain network`: four validators as separate processes,
//! of which GRANDPA needs three to finalize.

use crate::common::*;
use concord_worker::chain::Client;

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_validator_restarts_from_its_own_database_and_catches_up() {
	let dir = tempfile::tempdir().unwrap();
	let dir = dir.path();
	let validators: Vec<Validator> = ["alice", "bob", "charlie", "dave"]
		.into_iter()
		.zip(1..)
		.map(|(name, key)| Validator::new("network", name, key))
		.collect();
	let ports: Vec<u16> = validators.iter().map(|_| free_port()).collect();
	let mut nodes: Vec<(Process, String)> = validators
		.iter()
		.zip(&ports)
		.enumerate()
		.map(|(i, (validator, port))| {
			let bootnode = (i > 0).then(|| (&validators[0], ports[0]));
			validator.start(dir, *port, bootnode, &[])
		})
		.collect();
	let alice = Client::connect(&nodes[0].1).await.unwrap();
	let dave = Client::connect(&nodes[3].1).await.unwrap();

	// The network finalizes, and Dave's node follows it.
	let before = wait_for_finalized(&dave, 3)
		.await
		.unwrap_or_else(|| panic!("the network did not finalize\n{}", logs(dir)));
	let dave_hash = dave.block_hash(before).await.unwrap();

	// Dave's node crashes; the other three keep finalizing.
	let (dave_node, dave_rpc) = nodes.pop().unwrap();
	drop(dave);
	dave_node.kill();
	let at_crash = alice.finalized_header().await.unwrap().number;
	let without_dave = wait_for_finalized(&alice, at_crash + 3)
		.await
		.unwrap_or_else(|| panic!("finality stopped without Dave\n{}", logs(dir)));

	// Back on the same ParityDb: what it had finalized is there at once, and it catches up.
	let (_dave_node, dave_rpc_again) =
		validators[3].start(dir, free_port(), Some((&validators[0], ports[0])), &[]);
	assert_eq!(dave_rpc_again, dave_rpc);
	let dave = Client::connect(&dave_rpc).await.unwrap();
	let kept = dave.finalized_header().await.unwrap().number;
	assert!(kept >= before, "Dave's finalized block {kept} is older than {before}");
	assert_eq!(dave.block_hash(before).await.unwrap(), dave_hash, "Dave kept his blocks");
	let caught_up = wait_for_finalized(&dave, without_dave)
		.await
		.unwrap_or_else(|| panic!("Dave did not catch up\n{}", logs(dir)));
	assert_eq!(
		dave.block_hash(without_dave).await.unwrap(),
		alice.block_hash(without_dave).await.unwrap(),
		"Dave finalized the others' chain"
	);
	// And finality goes on with Dave back.
	let after = wait_for_finalized(&alice, caught_up + 3).await;
	assert!(after.is_some(), "finality stopped after Dave came back\n{}", logs(dir));
}
