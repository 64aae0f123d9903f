//! End to end on real parts: a `concord-node --dev` process, provider workers computing on
//! wgpu (lavapipe in CI), and a requester using `concord job`. The dev chain's six providers
//! are Alice (run inside the node with `--provider`) and Bob, Charlie, Eve, Ferdie and
//! Alice//stash (`concord worker run`); Dave requests.
//!
//! Progress is followed block by block over the node's RPC, never by sleeping.

use concord_kernels::{cpu, random, result_hash};
use concord_primitives::kernel::{validate_params, KernelId};
use concord_worker::chain::{AccountId, Client, JobInfo, Signer};
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;
use std::{
	io::{BufRead, BufReader, Write},
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	sync::mpsc,
	time::Duration,
};

/// How long any one stage may take before the test fails with the logs.
const STAGE_TIMEOUT: Duration = Duration::from_secs(240);

/// A child process killed when the test lets go of it.
struct Process(Child);

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

fn concord() -> Command {
	Command::new(env!("CARGO_BIN_EXE_concord"))
}

/// The node binary built beside this test (same target directory), or `CONCORD_NODE`.
fn node_binary() -> PathBuf {
	if let Ok(path) = std::env::var("CONCORD_NODE") {
		return path.into();
	}
	let exe = std::env::current_exe().unwrap();
	let path = exe.parent().and_then(Path::parent).unwrap().join("concord-node");
	assert!(path.exists(), "{} is missing: build the workspace (scripts/build.sh)", path.display());
	path
}

fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `--dev` node on free ports with temporary storage, logging to `<dir>/node.log`; returns
/// once its RPC server listens.
fn start_dev_node(dir: &Path, rpc_port: u16, extra: &[&str]) -> (Process, String) {
	let mut child = Command::new(node_binary())
		.args(["--dev", "--tmp", "--no-telemetry", "--no-prometheus", "--no-mdns"])
		.args(extra)
		.args(["--rpc-port", &rpc_port.to_string(), "--port", &free_port().to_string()])
		.stdout(Stdio::null())
		.stderr(Stdio::piped())
		.spawn()
		.expect("starting concord-node");
	let mut log = std::fs::File::create(dir.join("node.log")).unwrap();
	let (lines, listening) = mpsc::channel();
	let stderr = BufReader::new(child.stderr.take().unwrap());
	// Reads the node's log to the end (so it never blocks on a full pipe), reporting the line
	// that says the RPC server listens.
	std::thread::spawn(move || {
		for line in stderr.lines().map_while(Result::ok) {
			let _ = writeln!(log, "{line}");
			if line.contains("Running JSON-RPC server") {
				let _ = lines.send(());
			}
		}
	});
	listening.recv_timeout(STAGE_TIMEOUT).expect("concord-node did not start its JSON-RPC server");
	(Process(child), format!("ws://127.0.0.1:{rpc_port}"))
}

/// The dev providers run as `concord worker run` (Alice runs inside the node).
const WORKERS: [&str; 5] = ["Bob", "Charlie", "Eve", "Ferdie", "Alice//stash"];

/// A file name for dev account `name` (`Alice//stash` becomes `Alice-stash`).
fn file_name(name: &str) -> String {
	name.replace('/', "-").replace("--", "-")
}

/// `concord worker run` for dev account `name`, logging to `<dir>/<name>.log`.
fn start_worker(rpc: &str, name: &str, dir: &Path) -> Process {
	let log = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(dir.join(format!("{}.log", file_name(name))))
		.unwrap();
	let child = concord()
		.args(["worker", "run", "--rpc", rpc, "--key", &format!("//{name}")])
		.arg("--state-dir")
		.arg(dir.join(file_name(name)))
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("starting concord worker");
	Process(child)
}

fn logs(dir: &Path) -> String {
	std::iter::once("node")
		.chain(WORKERS)
		.map(|name| {
			let path = dir.join(format!("{}.log", file_name(name)));
			let log = std::fs::read_to_string(path).unwrap_or_default();
			format!("--- {name}\n{log}")
		})
		.collect()
}

fn succeed(output: Output, what: &str) -> String {
	let stdout = String::from_utf8_lossy(&output.stdout).trim().to_string();
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "{what} failed:\n{stdout}\n{stderr}");
	stdout
}

fn account(name: &str) -> AccountId {
	Signer::from_uri(&format!("//{name}")).unwrap().account().clone()
}

/// Follows the best chain until `done(job)` holds; `None` if it does not within
/// [`STAGE_TIMEOUT`].
async fn wait_for(client: &Client, job: u64, done: impl Fn(&JobInfo) -> bool) -> Option<JobInfo> {
	let follow = async {
		let mut heads = client.best_heads().await.unwrap();
		while let Some(head) = heads.next().await {
			if let Some(info) = client.job(job, head.unwrap().hash()).await.unwrap() {
				if done(&info) {
					return info;
				}
			}
		}
		panic!("the node closed the block subscription");
	};
	tokio::time::timeout(STAGE_TIMEOUT, follow).await.ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn providers_attest_a_job_even_when_one_restarts_after_committing() {
	let dir = tempfile::tempdir().unwrap();
	// Bob's worker starts before the node is up: it keeps trying until the node answers.
	let rpc_port = free_port();
	let bob = start_worker(&format!("ws://127.0.0.1:{rpc_port}"), "Bob", dir.path());
	let (_node, rpc) = start_dev_node(dir.path(), rpc_port, &["--provider", "//Alice"]);
	let (kernel, params, seed) = (KernelId::MatmulI8, [16u32, 24, 8], 7u64);
	let params_arg = params.map(|p| p.to_string()).join(",");

	// Only Alice (in the node) and Bob run at first; the job draws three of the six providers.
	let submitted = concord()
		.args(["job", "submit", "--rpc", &rpc, "--key", "//Dave", "--kernel", "matmul-i8"])
		.args(["--params", &params_arg, "--random-input", &seed.to_string()])
		.args(["--replicas", "3", "--quorum", "2", "--commit-window", "100"])
		.output()
		.unwrap();
	let job: u64 = succeed(submitted, "concord job submit").parse().expect("a job number");

	let client = Client::connect(&rpc).await.unwrap();
	let assigned = wait_for(&client, job, |info| !info.assignees.is_empty())
		.await
		.unwrap_or_else(|| panic!("the job was not drawn\n{}", logs(dir.path())));
	let drawn: Vec<&str> = WORKERS
		.into_iter()
		.filter(|name| assigned.assignees.iter().any(|a| a.provider == account(name)))
		.collect();
	assert!(!drawn.is_empty(), "a job of three drawn from six includes a worker: {assigned:?}");
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
	let endpoint: libp2p::Multiaddr =
		std::str::from_utf8(&record.endpoint).unwrap().parse().expect("a multiaddr");
	let early = concord_worker::blobs::fetch(endpoint, result_hash(&expected)).await;
	let refused = early.expect_err("an output served before its job was attested");
	assert!(refused.to_string().contains("does not have it"), "{refused:#}");

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
		move || concord().args(["job", "wait", "--rpc", &rpc, &job.to_string()]).output().unwrap()
	})
	.await
	.unwrap();
	let attested = succeed(waited, &format!("concord job wait\n{}", logs(dir.path())));

	assert_eq!(attested, hex::encode(result_hash(&expected)), "the CPU reference's hash");

	// The output itself, from a provider that computed it, over libp2p.
	let output = dir.path().join("output.bin");
	let fetch = concord()
		.args(["job", "fetch", "--rpc", &rpc, &job.to_string(), "--output"])
		.arg(&output)
		.output()
		.unwrap();
	succeed(fetch, &format!("concord job fetch\n{}", logs(dir.path())));
	assert!(std::fs::read(&output).unwrap() == expected, "the fetched output differs");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_requester_is_told_why_no_provider_takes_a_job() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &[]);
	let submit = |extra: &[&str]| {
		concord()
			.args(["job", "submit", "--rpc", &rpc, "--key", "//Dave", "--kernel", "sort-u32"])
			.args(["--params", "64", "--random-input", "1"])
			.args(extra)
			.output()
			.unwrap()
	};

	// More replicas than half the chain's providers: no pool is large enough for the draw,
	// which the quote says before anything is sent.
	let refused = submit(&["--replicas", "9", "--quorum", "5"]);
	assert!(!refused.status.success());
	let stderr = String::from_utf8_lossy(&refused.stderr);
	assert!(stderr.contains("PoolTooSmall { eligible: 6, needed: 18 }"), "{stderr}");

	// A reward under every provider's price: the chain refuses it by name.
	let refused = submit(&["--reward", "1"]);
	assert!(!refused.status.success());
	let stderr = String::from_utf8_lossy(&refused.stderr);
	assert!(stderr.contains("Jobs(RewardTooLow)"), "{stderr}");

	// A job is drawn three blocks after its submission; until then the requester may take it
	// back.
	let job = succeed(submit(&[]), "concord job submit");
	let cancel = concord().args(["job", "cancel", "--rpc", &rpc, "--key", "//Dave", &job]).output();
	succeed(cancel.unwrap(), "concord job cancel");
	let status = concord().args(["job", "status", "--rpc", &rpc, &job]).output().unwrap();
	assert_eq!(succeed(status, "concord job status"), "Cancelled");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_registers_and_goes_offline_from_the_command_line() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &[]);
	// Dave is not a provider on the dev chain.
	let dave = |args: &[&str]| {
		concord()
			.arg("provider")
			.args(args)
			.args(["--rpc", &rpc, "--key", "//Dave"])
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
	let refused = register("1CORD");
	assert!(!refused.status.success());
	let stderr = String::from_utf8_lossy(&refused.stderr);
	assert!(stderr.contains("Providers(StakeBelowMinimum)"), "{stderr}");
	let status = succeed(dave(&["status"]), "concord provider status");
	assert!(status.ends_with("not a registered provider"), "{status}");

	let registered = succeed(register("200CORD"), "concord provider register");
	for expected in
		["Online", "stake 200000000000000,", "price 2 ", "kernels sort-u32,sha256-batch"]
	{
		assert!(registered.contains(expected), "{expected:?} in {registered}");
	}
	let offline = succeed(dave(&["go-offline"]), "concord provider go-offline");
	assert!(offline.contains(": Offline,"), "{offline}");
}
