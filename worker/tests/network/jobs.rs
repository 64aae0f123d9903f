//! Jobs on a `--dev` chain: of the dev chain's twelve providers (`runtime/dev-providers.txt`),
//! Alice runs inside the node (`--provider`) and the others as `concord worker run`; Dave
//! requests.

use crate::common::*;
use concord_kernels::{cpu, random, result_hash};
use concord_primitives::kernel::{validate_params, KernelId};
use concord_worker::{
	chain::{Client, Signer},
	data::{self, BlobRef, FetchError, Limits, Store},
};
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;

#[tokio::test(flavor = "multi_thread")]
async fn providers_attest_a_job_even_when_one_restarts_after_committing() {
	let dir = tempfile::tempdir().unwrap();
	// Bob's worker starts before the node is up: it keeps trying until the node answers.
	let rpc_port = free_port();
	let bob = start_worker(&format!("ws://127.0.0.1:{rpc_port}"), "Bob", dir.path());
	let (_node, rpc) = start_dev_node(dir.path(), rpc_port, &["--provider", "//Alice"]);
	let (kernel, params, seed) = (KernelId::MatmulI8, [16u32, 24, 8], 7u64);
	let params_arg = params.map(|p| p.to_string()).join(",");

	// Only Alice (in the node) and Bob run at first; the job draws three of the twelve.
	let submitted = concord()
		.args([
			"--json",
			"job",
			"submit",
			"--rpc",
			&rpc,
			"--key",
			"//Dave",
			"--kernel",
			"matmul-i8",
		])
		.args(["--params", &params_arg, "--random-input", &seed.to_string()])
		.args(["--replicas", "3", "--quorum", "2", "--commit-window", "100"])
		.output()
		.unwrap();
	let job = json(succeed(submitted, "concord job submit"))["job"].as_u64().expect("a job number");

	let client = Client::connect(&rpc).await.unwrap();
	let assigned = wait_for(&client, job, |info| !info.assignees.is_empty())
		.await
		.unwrap_or_else(|| panic!("the job was not drawn\n{}", logs(dir.path())));
	let drawn: Vec<&str> = workers()
		.into_iter()
		.filter(|name| assigned.assignees.iter().any(|a| a.provider == account(name)))
		.collect();
	assert!(!drawn.is_empty(), "a job of three drawn from twelve includes a worker: {assigned:?}");
	// The first worker drawn commits alone (besides Alice), so the job cannot leave the commit
	// phase before it restarts.
	let first = drawn[0];
	let mut restarted = if first == "Bob" {
		bob
	} else {
		drop(bob);
		start_worker(&rpc, first, dir.path())
	};
	let first_account = account(first);
	wait_for(&client, job, |info| {
		info.assignees.iter().any(|a| a.provider == first_account && a.commitment.is_some())
	})
	.await
	.unwrap_or_else(|| panic!("{first} did not commit\n{}", logs(dir.path())));

	// Before the verdict the output is kept back: a requester that could read it now could
	// make the job fail and never pay.
	let shape = validate_params(kernel, &params).unwrap();
	let expected = cpu::run(kernel, &params, &random::input(&shape, seed)).unwrap();
	let head = client.best_header().await.unwrap().hash();
	let record = client.provider(&first_account, head).await.unwrap().expect("a provider");
	let endpoint =
		concord_worker::blobs::Endpoint::parse(std::str::from_utf8(&record.endpoint).unwrap())
			.unwrap()
			.p2p()
			.unwrap();
	let dave = Signer::from_uri("//Dave").unwrap();
	let hash = result_hash(&expected);
	let blob = BlobRef { root: hash, size: expected.len() as u64 };
	let store = Store::open(&dir.path().join("test-fetches")).unwrap();
	let fetch_as = |signer: &Signer| {
		let endpoint = std::slice::from_ref(&endpoint);
		data::fetch_granted(blob, endpoint, &store, Limits::default(), signer.grant(&hash))
	};
	let early = fetch_as(&dave).await;
	let refused = early.expect_err("an output served before its job was attested");
	assert!(matches!(refused, FetchError::Missing { .. }), "{refused}");

	// It dies after committing, before anything could be revealed, then comes back with its
	// state directory: it must reveal the salt it committed to, not recompute a new one.
	restarted.0.kill().unwrap();
	restarted.0.wait().unwrap();
	let _others: Vec<Process> =
		drawn[1..].iter().map(|name| start_worker(&rpc, name, dir.path())).collect();
	let _first = start_worker(&rpc, first, dir.path());

	let info = wait_for(&client, job, |info| {
		!matches!(info.phase, Phase::Committing { .. } | Phase::Revealing { .. })
	})
	.await
	.unwrap_or_else(|| panic!("the job did not end\n{}", logs(dir.path())));
	assert!(matches!(info.phase, Phase::Attested { .. }), "{info:?}\n{}", logs(dir.path()));
	for assignee in &info.assignees {
		assert_eq!(assignee.outcome, Some(JobOutcome::Agreed), "{info:?}\n{}", logs(dir.path()));
	}
	assert_eq!(info.assignees.len(), 3);

	// The requester's view of the same verdict.
	let waited = tokio::task::spawn_blocking({
		let rpc = rpc.clone();
		move || concord().args(["--json", "job", "wait", "--rpc", &rpc, &job.to_string()]).output()
	})
	.await
	.unwrap()
	.unwrap();
	let attested = json(succeed(waited, &format!("concord job wait\n{}", logs(dir.path()))));
	let expected_hash = format!("0x{}", hex::encode(result_hash(&expected)));
	assert_eq!(attested["result_hash"], expected_hash, "the CPU's hash");

	// The output itself, from a provider that computed it, over libp2p: to the requester.
	let (bytes, fetched) = fetch_as_dave(&rpc, job, dir.path());
	assert_eq!(fetched["bytes"], expected.len(), "{fetched}");
	assert!(bytes == expected, "the fetched output differs");
	let output = dir.path().join("output.bin");

	// Not to another account: the requester paid for it. (The first worker serves it once it
	// has seen the verdict; until then it does not have it.)
	let eve = Signer::from_uri("//Eve").unwrap();
	let mut heads = client.best_heads().await.unwrap();
	let served = async {
		loop {
			match fetch_as(&dave).await {
				Ok(fetched) => return std::fs::read(fetched.path).unwrap(),
				Err(FetchError::Missing { .. }) => heads.next().await,
				Err(e) => panic!("{e:#}"),
			};
		}
	};
	let served = tokio::time::timeout(STAGE_TIMEOUT, served).await.expect("the output is served");
	assert!(served == expected);
	store.remove(&blob).unwrap();
	let refused = fetch_as(&eve).await;
	let refused = refused.expect_err("an output served to an account that did not pay for it");
	assert!(matches!(refused, FetchError::NotPermitted { .. }), "{refused}");
	let by_eve = concord()
		.args(["job", "fetch", "--rpc", &rpc, "--key", "//Eve", &job.to_string(), "--output"])
		.arg(&output)
		.arg("--store")
		.arg(dir.path().join("eve-store"))
		.output()
		.unwrap();
	assert!(!by_eve.status.success());
	let stderr = String::from_utf8_lossy(&by_eve.stderr);
	assert!(stderr.contains("serve the output only to it"), "{stderr}");

	// Unless the requester grants it: anyone holding the grant reads the output.
	let grant = concord()
		.args(["--json", "job", "grant", "--rpc", &rpc, "--key", "//Dave", &job.to_string()])
		.output()
		.unwrap();
	let grant = json(succeed(grant, "concord job grant"))["grant"].as_str().unwrap().to_string();
	let shared = dir.path().join("shared.bin");
	let fetch = concord()
		.args(["job", "fetch", "--rpc", &rpc, "--grant", &grant, &job.to_string(), "--output"])
		.arg(&shared)
		.arg("--store")
		.arg(dir.path().join("grantee-store"))
		.env_remove("CONCORD_KEY")
		.output()
		.unwrap();
	succeed(fetch, "concord job fetch --grant");
	assert!(std::fs::read(&shared).unwrap() == expected, "the output fetched with a grant");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_requester_is_told_why_no_provider_takes_a_job() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &[]);
	let submit = |extra: &[&str]| {
		concord()
			.args(["--json", "job", "submit", "--rpc", &rpc, "--key", "//Dave"])
			.args(["--kernel", "sort-u32"])
			.args(["--params", "64", "--random-input", "1"])
			.args(extra)
			.output()
			.unwrap()
	};

	// More replicas than half the chain's providers: no pool is large enough for the draw,
	// which the quote says before anything is sent.
	let refused = failure(submit(&["--replicas", "9", "--quorum", "5"]));
	assert!(
		refused.contains("only 12 providers could take it, and the draw needs a pool of 18"),
		"{refused}"
	);

	// A reward under every provider's price: the chain refuses it by name (exit status 2), as
	// its metadata names it.
	let refused = refusal(submit(&["--reward", "1"]));
	assert_eq!(refused, ("jobs".into(), "RewardTooLow".into()));
	// A job that was never submitted is not found (exit status 4).
	let missing = concord().args(["--json", "job", "status", "--rpc", &rpc, "999"]).output();
	let (status, missing) = failed(missing.unwrap());
	assert_eq!((status, &missing["kind"]), (4, &serde_json::json!("not_found")), "{missing}");
	let cancel_missing = concord()
		.args(["--json", "job", "cancel", "--rpc", &rpc, "--key", "//Dave", "999"])
		.output();
	let (status, missing) = failed(cancel_missing.unwrap());
	assert_eq!((status, &missing["kind"]), (4, &serde_json::json!("not_found")), "{missing}");

	// A job is drawn three blocks after its submission; until then the requester may take it
	// back.
	let submitted = json(succeed(submit(&[]), "concord job submit"));
	let job = submitted["job"].to_string();
	// Twelve dev providers of equal weight at one price: the pool is all the weight, and the
	// capture bounds are given for five coalitions, each no smaller than the last.
	assert_eq!(submitted["pool_share_ppb"], 1_000_000_000, "{submitted}");
	let chances: Vec<u64> = submitted["capture"]
		.as_array()
		.expect("capture bounds")
		.iter()
		.map(|c| c["chance_ppb"].as_u64().expect("a chance"))
		.collect();
	assert_eq!(chances.len(), 5, "{submitted}");
	assert!(chances.windows(2).all(|w| w[0] <= w[1]), "{submitted}");
	let listed = concord().args(["--json", "job", "list", "--rpc", &rpc]).output().unwrap();
	let listed = json(succeed(listed, "concord job list"));
	let first = &listed["jobs"][0];
	assert_eq!(first["job"].to_string(), job, "{listed}");
	assert_eq!(first["kernel"], "sort-u32");
	assert_eq!(first["requester"], account("Dave").to_string());
	assert_eq!(first["phase"]["name"], "Queued", "{listed}");
	let list = concord().args(["--json", "provider", "list", "--rpc", &rpc]).output();
	let list = json(succeed(list.unwrap(), "concord provider list"));
	let listed = list["providers"].as_array().unwrap();
	assert_eq!(listed.len(), 12, "{listed:?}");
	for name in providers() {
		let record = listed.iter().find(|p| p["account"] == account(name).to_string());
		let record = record.unwrap_or_else(|| panic!("{name} in {listed:?}"));
		assert_eq!(record["status"]["name"], "Online");
		assert_eq!(record["stake"], "1000000000000000", "1,000 CORD, in the smallest unit");
		assert_eq!(keys(record), documented_fields("### Provider document"), "CLI-JSON.md");
	}
	let cancel = concord()
		.args(["--json", "job", "cancel", "--rpc", &rpc, "--key", "//Dave", &job])
		.output();
	let cancelled = json(succeed(cancel.unwrap(), "concord job cancel"));
	assert_eq!(cancelled["cancelled"], true);
	assert_ne!(cancelled["refunded"], "0", "the escrow comes back: {cancelled}");
	let status = concord().args(["--json", "job", "status", "--rpc", &rpc, &job]).output();
	let status = json(succeed(status.unwrap(), "concord job status"));
	assert_eq!(status["phase"]["name"], "Cancelled", "{status}");
	assert_eq!(status["escrow"], "0", "{status}");
	assert_eq!(keys(&status), documented_fields("### Job document"), "docs/CLI-JSON.md");
	// Waiting on it ends at once without a result (exit status 3).
	let wait = concord().args(["--json", "job", "wait", "--rpc", &rpc, &job]).output();
	let (status, ended) = failed(wait.unwrap());
	assert_eq!((status, &ended["kind"]), (3, &serde_json::json!("no_result")), "{ended}");
	assert!(ended["error"].as_str().unwrap().ends_with("cancelled"), "{ended}");

	// People read the same in words and CORD.
	let status = concord().args(["job", "status", "--rpc", &rpc, &job]).output().unwrap();
	assert_eq!(succeed(status, "concord job status"), "cancelled");
	let providers = concord().args(["provider", "list", "--rpc", &rpc]).output().unwrap();
	let providers = succeed(providers, "concord provider list");
	assert!(
		providers.contains(": online, stake 1000 CORD, price 0.000000000001 CORD"),
		"{providers}"
	);
}

/// Where Dave's provider says it serves: libp2p and an HTTP gateway.
const ENDPOINT: &str = "/ip4/127.0.0.1/tcp/40401,/ip4/127.0.0.1/tcp/41401/http";

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_registers_and_goes_offline_from_the_command_line() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &[]);
	// Dave is not a provider on the dev chain. His key is in a keystore, put there by the
	// node's own `key insert`, as for any Substrate tool.
	let keystore = dir.path().join("keystore");
	insert_with_node(&keystore, "//Dave");
	let keystore = keystore.to_str().unwrap();
	let dave = |args: &[&str]| {
		concord()
			.args(["--json", "provider"])
			.args(args)
			.args(["--rpc", &rpc, "--keystore-path", keystore])
			.env_remove("CONCORD_KEY")
			.output()
			.unwrap()
	};
	let register = |stake: &str| {
		dave(
			&["register", "--stake", stake, "--price", "2", "--kernels", "sort-u32,sha256-batch"]
				.iter()
				.chain(&["--endpoint", "/ip4/127.0.0.1/tcp/40400", "--memory-mib", "1024", "--cpu"])
				.copied()
				.collect::<Vec<_>>(),
		)
	};

	// A stake under the minimum is refused by name, and nothing is registered.
	let refused = refusal(register("1CORD"));
	assert_eq!(refused, ("providers".into(), "StakeBelowMinimum".into()));
	let status = json(succeed(dave(&["status"]), "concord provider status"));
	assert_eq!(status["registered"], false, "{status}");

	let registered = json(succeed(register("200CORD"), "concord provider register"));
	assert_eq!(registered["status"]["name"], "Online", "{registered}");
	assert_eq!(registered["stake"], "200000000000000");
	assert_eq!(registered["price_per_work_unit"], "2");
	assert_eq!(registered["kernels"], serde_json::json!(["sort-u32", "sha256-batch"]));
	assert_eq!(registered["events"], serde_json::json!(["Registered"]), "{registered}");
	let offline = json(succeed(dave(&["go-offline"]), "concord provider go-offline"));
	assert_eq!(offline["status"]["name"], "Offline", "{offline}");
	let online = json(succeed(dave(&["go-online"]), "concord provider go-online"));
	assert_eq!(online["status"]["name"], "Online", "{online}");
	let updated = dave(&["update", "--price", "0.000000000003CORD", "--endpoint", ENDPOINT]);
	let updated = json(succeed(updated, "concord provider update"));
	assert_eq!(updated["price_per_work_unit"], "3", "{updated}");
	assert_eq!(updated["endpoint"], ENDPOINT);
	let bonded = json(succeed(dave(&["bond-extra", "--amount", "50CORD"]), "bond-extra"));
	assert_eq!(bonded["stake"], "250000000000000", "{bonded}");

	// Leaving: the stake stays held through the unbonding period.
	let too_early = failure(dave(&["withdraw"]));
	assert!(too_early.contains("providers.NotUnbonding"), "{too_early}");
	let leaving = json(succeed(dave(&["unregister"]), "concord provider unregister"));
	assert_eq!(leaving["status"]["name"], "Unbonding", "{leaving}");
	let too_early = failure(dave(&["withdraw"]));
	assert!(too_early.contains("providers.UnbondingNotOver"), "{too_early}");
}

/// The provider inside the node logs through the node's logger, so `-l` filters its lines.
#[tokio::test(flavor = "multi_thread")]
async fn the_node_s_log_filters_reach_its_provider() {
	// What the provider logs at debug level on every block.
	let debug_line = " duties to do";
	let log = provider_log(&["-l", "concord-provider=debug"]).await;
	assert!(log.contains(debug_line), "debug lines with -l concord-provider=debug:\n{log}");
	let log = provider_log(&[]).await;
	assert!(!log.contains(debug_line), "no debug lines at the default level:\n{log}");
}

/// The node's provider takes `concord worker run`'s options under `--provider-` names: it
/// signs from a keystore, keeps its state where told, computes on the CPU, serves on the
/// addresses given (not the registered ones), and keeps data at least the chain's retention.
#[tokio::test(flavor = "multi_thread")]
async fn the_node_s_provider_takes_the_worker_s_options() {
	let dir = tempfile::tempdir().unwrap();
	let keystore = dir.path().join("keystore");
	insert_with_node(&keystore, "//Alice");
	let state = dir.path().join("alice-state");
	let (p2p, http) = (free_port(), free_port());
	let listen = format!("/ip4/127.0.0.1/tcp/{p2p}");
	let http = format!("127.0.0.1:{http}");
	let log = node_provider_log(
		dir.path(),
		&[
			"--provider-keystore-path",
			keystore.to_str().unwrap(),
			"--provider-state-dir",
			state.to_str().unwrap(),
			"--provider-cpu",
			"--provider-listen",
			&listen,
			"--provider-http",
			&http,
			"--provider-keep-results",
			"1",
		],
		&["serving results and inputs at", "serving results to browsers at"],
	)
	.await;
	assert!(log.contains(&format!("provider {}", account("Alice"))), "{log}");
	assert!(log.contains("computing on the CPU reference"), "{log}");
	assert!(log.contains(&format!("serving results and inputs at {listen}/p2p/")), "{log}");
	assert!(log.contains(&format!("serving results to browsers at http://{http}/blob")), "{log}");
	assert!(log.contains("keeping outputs and inputs for 24 hours, the chain's DataRetention"));
	assert!(state.join("p2p-ed25519.key").exists(), "the libp2p identity is kept in the state dir");
}

/// The log of a dev node with `--provider //Alice` and `extra` arguments, once its provider
/// has announced itself and three more blocks were imported.
async fn provider_log(extra: &[&str]) -> String {
	let dir = tempfile::tempdir().unwrap();
	let args: Vec<&str> = ["--provider", "//Alice"].iter().chain(extra).copied().collect();
	node_provider_log(dir.path(), &args, &[]).await
}

/// The log of a dev node in `dir` with `args`, once its provider has announced itself, every
/// line in `awaited` was logged, and three more blocks were imported.
async fn node_provider_log(dir: &std::path::Path, args: &[&str], awaited: &[&str]) -> String {
	let (_node, rpc) = start_dev_node(dir, free_port(), args);
	let client = Client::connect(&rpc).await.unwrap();
	let mut heads = client.best_heads().await.unwrap();
	let follow = async {
		let mut blocks_since = 0;
		loop {
			heads.next().await.expect("a new block").unwrap();
			let log = std::fs::read_to_string(dir.join("node.log")).unwrap();
			if log.contains("registered: Online") && awaited.iter().all(|line| log.contains(line)) {
				blocks_since += 1;
				if blocks_since > 3 {
					return log;
				}
			}
		}
	};
	tokio::time::timeout(STAGE_TIMEOUT, follow).await.expect("the provider announced itself")
}
