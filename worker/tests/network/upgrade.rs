//! A runtime upgrade through `sudo.setCode` on a running dev chain, while its providers work:
//! the new runtime is this one as its own next `spec_version` (same transaction format), which
//! the runtime's build script compiles beside the real one.

use crate::common::*;
use concord_worker::chain::{Client, RuntimeCall, RuntimeEvent, Signer};
use frame_support::weights::Weight;
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;

/// A job small enough to be quick on lavapipe.
const JOB: [&str; 8] =
	["--kernel", "matmul-i8", "--params", "16,24,8", "--random-input", "5", "--replicas", "3"];

#[tokio::test(flavor = "multi_thread")]
async fn providers_keep_committing_and_revealing_through_a_runtime_upgrade() {
	let dir = tempfile::tempdir().unwrap();
	let dir = dir.path();
	let (mut node, rpc) = start_dev_node(dir, free_port(), &["--provider", "//Alice"]);
	let _workers = start_workers(&rpc, dir);
	let client = Client::connect(&rpc).await.unwrap();
	let (spec_version, transaction_version) = client.signing_version().await.unwrap();

	// One job is submitted before the upgrade and worked on across it.
	let across = submit_job(&rpc, &JOB);
	let code =
		concord_runtime::UPGRADE_REHEARSAL_WASM.expect("built by the runtime's build script");
	let set_code = RuntimeCall::System(frame_system::Call::set_code { code: code.to_vec() });
	let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
		call: Box::new(set_code),
		weight: Weight::zero(),
	});
	// Alice is the dev chain's sudo key and also a provider signing in the node: a commit of
	// hers may take the nonce first, and then the upgrade is sent again.
	let alice = Signer::from_uri("//Alice").unwrap();
	let mut included = None;
	for _ in 0..3 {
		match client.submit(&alice, sudo.clone()).await {
			Ok(done) => {
				included = Some(done);
				break;
			}
			Err(e) => eprintln!("sending the upgrade: {e:#}"),
		}
	}
	let included =
		included.unwrap_or_else(|| panic!("the upgrade was not included\n{}", logs(dir)));
	let updated = included.events.iter().any(|event| {
		matches!(event, RuntimeEvent::System(frame_system::Event::CodeUpdated { .. }))
	});
	assert!(updated, "no CodeUpdated in {:?}", included.events);
	assert_eq!(
		client.signing_version().await.unwrap(),
		(spec_version + 1, transaction_version),
		"the node runs the new runtime"
	);

	// And one after it, signed by the CLI with the new spec_version.
	let after = submit_job(&rpc, &JOB);
	for job in [across, after] {
		let info = wait_for(&client, job, |info| !info.phase.is_open())
			.await
			.unwrap_or_else(|| panic!("job {job} did not end\n{}", logs(dir)));
		assert!(matches!(info.phase, Phase::Attested { .. }), "{info:?}\n{}", logs(dir));
		for assignee in &info.assignees {
			assert_eq!(assignee.outcome, Some(JobOutcome::Agreed), "{info:?}\n{}", logs(dir));
		}
	}
	assert!(node.running(), "the node with --provider stopped\n{}", logs(dir));
}
