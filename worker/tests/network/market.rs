//! Issue 23's acceptance on real parts: a test chain whose genesis sets up a market (a
//! provider's terms take about 20 minutes to come into force, longer than a test may run),
//! with six honest providers at distinct prices and six Sybils at the minimum stake priced
//! one unit under all of them. A requester submits a dozen jobs at the quote's reward through
//! `concord job submit`; the test plays the Sybils' cartel, committing and revealing one forged
//! hash wherever any of them is drawn. Under the old rule the quote was the `2k`-th cheapest
//! price, so the six Sybils were the whole pool of every job and every job attested their
//! forgery.

use crate::common::*;
use codec::Encode;
use concord_kernels::{cpu, random, result_hash};
use concord_primitives::kernel::{validate_params, KernelId};
use concord_runtime::{configs::ProviderMinStake, units::UNIT};
use concord_worker::chain::Client;
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;
use serde_json::{json, Value};
use sp_core::H256;
use std::path::Path;

/// The honest providers, each running `concord worker run`, and their prices per work unit.
const HONEST: [(&str, u128); 6] = [
	("Alice", 1_000),
	("Bob", 1_100),
	("Charlie", 1_200),
	("Eve", 1_300),
	("Ferdie", 1_400),
	("Alice//stash", 1_500),
];
/// What each honest provider stakes: about what the stake of a provider with a few months of
/// earnings might be. The Sybils stake the minimum.
const HONEST_STAKE: u128 = 50_000 * UNIT;
const SYBILS: usize = 6;
const JOBS: u64 = 12;
/// Seats per job and matching reveals needed: the CLI's defaults.
const REPLICAS: usize = 3;

/// The job every requester here submits, with its own random input per job.
const KERNEL: KernelId = KernelId::MatmulI8;
const PARAMS: [u32; 3] = [16, 24, 8];

/// The hash every Sybil of job `job` commits to and reveals: one hash, so that two Sybils of a
/// round form a quorum.
fn forgery(job: u64) -> H256 {
	H256(sp_crypto_hashing::blake2_256(&(b"forged", job).encode()))
}

fn sybil(index: usize) -> String {
	format!("Sybil{index}")
}

/// A provider of every kernel in genesis, on free local ports.
fn genesis_provider(name: &str, stake: u128, price: u128, slots: u32) -> Value {
	json!({
		"account": account(name).to_string(),
		"backend": "vulkan",
		"deviceName": format!("test GPU of {name}"),
		"endpoint": format!("/ip4/127.0.0.1/tcp/{},/ip4/127.0.0.1/tcp/{}/http", free_port(), free_port()),
		"kernels": KernelId::ALL.iter().map(|kernel| kernel.name()).collect::<Vec<_>>(),
		"maxConcurrentJobs": slots,
		"memoryMib": 4096,
		"pricePerWorkUnit": u64::try_from(price).unwrap(),
		"stake": u64::try_from(stake).unwrap(),
	})
}

/// The dev chain's specification with the market above in its genesis, written to
/// `<dir>/market.json`. Every provider has a slot for every job, so that no job waits for
/// one.
fn market_spec(dir: &Path) -> String {
	let exported = std::process::Command::new(node_binary())
		.args(["export-chain-spec", "--chain", "dev"])
		.output()
		.unwrap();
	let mut spec = json(succeed(exported, "concord-node export-chain-spec --chain dev"));
	let patch = &mut spec["genesis"]["runtimeGenesis"]["patch"];
	let slots = JOBS as u32;
	let cheapest = HONEST.iter().map(|(_, price)| *price).min().unwrap();
	let mut providers: Vec<Value> = HONEST
		.iter()
		.map(|(name, price)| genesis_provider(name, HONEST_STAKE, *price, slots))
		.collect();
	for index in 0..SYBILS {
		let name = sybil(index);
		providers.push(genesis_provider(&name, ProviderMinStake::get(), cheapest - 1, slots));
		let endowment = u64::try_from(1_000 * UNIT).unwrap();
		patch["balances"]["balances"]
			.as_array_mut()
			.unwrap()
			.push(json!([account(&name).to_string(), endowment]));
	}
	patch["providers"]["providers"] = Value::Array(providers);
	let path = dir.join("market.json");
	std::fs::write(&path, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
	path.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn sybils_priced_under_every_honest_provider_get_no_forged_result_attested() {
	let dir = tempfile::tempdir().unwrap();
	let spec = market_spec(dir.path());
	let port = free_port().to_string();
	// What `--dev` implies for its own chain: Alice validates alone, on temporary storage, with
	// a fresh network key.
	let node_key = hex::encode([0x42u8; 32]);
	let args = ["--chain", &spec, "--alice", "--validator", "--force-authoring", "--tmp"];
	let args: Vec<&str> =
		args.into_iter().chain(["--port", &port, "--node-key", &node_key]).collect();
	let (_node, rpc) = start_node(dir.path(), "node", free_port(), &args);
	let _workers: Vec<Process> =
		HONEST.iter().map(|(name, _)| start_worker(&rpc, name, dir.path())).collect();

	// The Sybils' cartel: a Sybil drawn into an open job commits to the job's forgery and
	// reveals it when the round's reveals open.
	let sybils: Vec<String> = (0..SYBILS).map(sybil).collect();
	let cartel =
		tokio::spawn(play_providers(rpc.clone(), sybils, |job, _round, _sybil| Some(forgery(job))));

	let params = PARAMS.map(|p| p.to_string()).join(",");
	let mut jobs = Vec::new();
	let mut rewards = Vec::new();
	for seed in 0..JOBS {
		let submitted = concord()
			.args(["--json", "job", "submit", "--rpc", &rpc, "--key", "//Dave"])
			.args(["--kernel", KERNEL.name(), "--params", &params])
			.args(["--random-input", &seed.to_string()])
			.output()
			.unwrap();
		let submitted = json(succeed(submitted, "concord job submit"));
		// The quote's pool: every Sybil, priced under everyone, and honest providers until it
		// holds half the weight. The Sybils alone were the old rule's whole pool.
		assert!(
			submitted["pool"].as_u64().unwrap() > SYBILS as u64,
			"the quote's pool is only the Sybils: {submitted}"
		);
		jobs.push(submitted["job"].as_u64().expect("a job number"));
		let reward = submitted["reward"].as_str().expect("a reward in planks");
		rewards.push(reward.parse::<u128>().unwrap());
	}

	let client = Client::connect(&rpc).await.unwrap();
	let shape = validate_params(KERNEL, &PARAMS).unwrap();
	let (mut sybil_seats, mut honest_seats) = (0, 0);
	for (seed, &job) in jobs.iter().enumerate() {
		let info = wait_for(&client, job, |info| !info.phase.is_open())
			.await
			.unwrap_or_else(|| panic!("job {job} did not end\n{}", logs(dir.path())));
		let output = cpu::run(KERNEL, &PARAMS, &random::input(&shape, seed as u64)).unwrap();
		let truth = H256(result_hash(&output));
		assert_eq!(
			info.phase,
			Phase::Attested { result_hash: truth },
			"job {job} did not attest its true result: {info:?}\n{}",
			logs(dir.path())
		);
		for assignee in &info.assignees {
			let is_sybil = (0..SYBILS).any(|index| account(&sybil(index)) == assignee.provider);
			if is_sybil {
				sybil_seats += 1;
				// The cartel did forge: its seat revealed the forgery and was judged for it.
				assert_eq!(assignee.revealed, Some(forgery(job)), "{info:?}");
				assert_eq!(assignee.outcome, Some(JobOutcome::Deviated), "{info:?}");
			} else {
				honest_seats += 1;
				assert_eq!(assignee.outcome, Some(JobOutcome::Agreed), "{info:?}");
			}
		}
	}
	cartel.abort();
	assert_eq!(sybil_seats + honest_seats, JOBS as usize * REPLICAS, "no seat was declined");
	println!(
		"{JOBS} jobs at the quote's reward ({} to {} planks per replica): {JOBS} attested with \
		 the true result; {honest_seats} honest seats paid, {sybil_seats} Sybil seats forged \
		 and were slashed",
		rewards.iter().min().unwrap(),
		rewards.iter().max().unwrap()
	);
}
