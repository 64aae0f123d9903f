//! A job whose input is too large to ride on chain (issue 25, slice 2), on the dev chain with
//! its genesis providers: `concord job submit --input FILE` serves the file over the data plane
//! until the job ends, each drawn provider fetches it piece by piece against the BLAKE3 root
//! the job names, computes and commits, and the requester gets the CPU reference's bytes.

use crate::common::*;
use concord_kernels::{cpu, random, result_hash};
use concord_primitives::kernel::{validate_params, KernelId};
use concord_worker::chain::Client;
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;

#[tokio::test(flavor = "multi_thread")]
async fn providers_attest_a_job_whose_4_mib_input_the_requester_serves() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &["--provider", "//Alice"]);
	let _workers = start_workers(&rpc, dir.path());
	let (kernel, params) = (KernelId::SortU32, [1u32 << 20]);
	let shape = validate_params(kernel, &params).unwrap();
	let input = random::input(&shape, 7);
	assert_eq!(input.len(), 4 << 20);
	let file = dir.path().join("input.bin");
	std::fs::write(&file, &input).unwrap();
	let expected = cpu::run(kernel, &params, &input).unwrap();

	let args = vec![
		"--kernel".into(),
		"sort-u32".into(),
		"--params".into(),
		params[0].to_string().into(),
		"--input".into(),
		file.clone().into(),
		"--store".into(),
		dir.path().join("requester").into(),
	];
	let value = submit_and_wait(&rpc, args, dir.path()).await;
	assert_eq!(value["result_hash"], format!("0x{}", hex::encode(result_hash(&expected))));
	let source = value["input_source"].as_str().expect("where the input was served");
	assert!(source.starts_with("/ip4/127.0.0.1/tcp/") && source.contains("/p2p/"), "{value}");

	// The chain holds the input's BLAKE3 root, size and source, not its bytes.
	let job = value["job"].as_u64().expect("a job number");
	let client = Client::connect(&rpc).await.unwrap();
	let info = client.existing_job(job, client.best_header().await.unwrap().hash()).await.unwrap();
	assert_eq!(info.spec.input.hash.0, *bao_tree::blake3::hash(&input).as_bytes());
	assert_eq!(info.spec.input.size, input.len() as u64);
	assert_eq!(info.spec.input.source.as_deref().map(|s| &s[..]), Some(source.as_bytes()));
	assert!(matches!(info.phase, Phase::Attested { .. }));
	let agreed = info.assignees.iter().filter(|a| a.outcome == Some(JobOutcome::Agreed)).count();
	assert!(agreed >= 2, "{info:?}");

	// Each worker that computed it dropped the input it fetched (Alice, inside the node, keeps
	// its state elsewhere).
	let mut looked = 0;
	for name in names_of(info.assignees.iter().map(|a| &a.provider)) {
		if name == "Alice" {
			continue;
		}
		let inputs = state_dir(dir.path(), name).join("inputs");
		let left: Vec<_> = std::fs::read_dir(&inputs)
			.unwrap_or_else(|e| panic!("{}: {e}", inputs.display()))
			.map(|e| e.unwrap().file_name())
			.collect();
		assert!(left.is_empty(), "{name} kept {left:?}");
		looked += 1;
	}
	assert!(looked > 0, "a worker computed it: {info:?}");
	// And the requester, which served it from a store of its own, removed that store.
	let requester: Vec<_> = std::fs::read_dir(dir.path().join("requester"))
		.unwrap()
		.map(|e| e.unwrap().file_name())
		.collect();
	assert!(requester.is_empty(), "the requester kept {requester:?}");

	let (bytes, _) = fetch_as_dave(&rpc, job, dir.path());
	assert!(bytes == expected, "the fetched output differs");
}
