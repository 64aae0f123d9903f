//! What the network tests share: processes that die with the test, nodes and workers logging
//! into the test's directory, and waits that follow the chain block by block.

use codec::Encode;
use concord_primitives::market::commitment::commitment;
use concord_runtime::RuntimeCall;
use concord_worker::chain::{AccountId, Client, Hash, JobInfo, Signer};
use pallet_jobs::Phase;
use sp_core::H256;
use std::{
	collections::HashSet,
	io::{BufRead, BufReader, Write},
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	sync::{mpsc, Arc},
	time::Duration,
};

/// How long any one stage may take before the test fails with the logs.
pub const STAGE_TIMEOUT: Duration = Duration::from_secs(240);

/// A child process killed when the test lets go of it.
pub struct Process(pub Child);

impl Process {
	/// Kills the process at once (no clean shutdown, as a crash or power loss would).
	pub fn kill(mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}

	/// Whether the process is still running.
	pub fn running(&mut self) -> bool {
		matches!(self.0.try_wait(), Ok(None))
	}
}

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

pub fn concord() -> Command {
	Command::new(env!("CARGO_BIN_EXE_concord"))
}

/// The node binary built beside this test (same target directory), or `CONCORD_NODE`.
pub fn node_binary() -> PathBuf {
	if let Ok(path) = std::env::var("CONCORD_NODE") {
		return path.into();
	}
	let exe = std::env::current_exe().unwrap();
	let path = exe.parent().and_then(Path::parent).unwrap().join("concord-node");
	assert!(path.exists(), "{} is missing: build the workspace (scripts/build.sh)", path.display());
	path
}

/// Keeps `suri`'s key in `keystore` under Concord's key type, with the node's own `key insert`
/// as for any Substrate tool.
pub fn insert_with_node(keystore: &Path, suri: &str) {
	let inserted = Command::new(node_binary())
		.args(["key", "insert", "--key-type", "cord", "--scheme", "sr25519", "--suri", suri])
		.arg("--keystore-path")
		.arg(keystore)
		.output()
		.unwrap();
	succeed(inserted, "concord-node key insert");
}

pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `concord-node` with `args` on RPC port `rpc_port`, without telemetry, Prometheus or mDNS,
/// appending its log to `<dir>/<name>.log` (a restarted node continues its log); returns once
/// its RPC server listens.
pub fn start_node(dir: &Path, name: &str, rpc_port: u16, args: &[&str]) -> (Process, String) {
	let mut child = Command::new(node_binary())
		.args(["--no-telemetry", "--no-prometheus", "--no-mdns"])
		.args(args)
		.args(["--rpc-port", &rpc_port.to_string()])
		.stdout(Stdio::null())
		.stderr(Stdio::piped())
		.spawn()
		.expect("starting concord-node");
	let mut log = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(dir.join(format!("{name}.log")))
		.unwrap();
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

/// A validator of a named chain (`local`, `network`) with a fixed network identity, so that
/// the others can name it as a bootnode.
pub struct Validator {
	pub chain: &'static str,
	/// The dev account whose validator keys it uses (`--alice`, ...), in lower case.
	pub name: &'static str,
	pub node_key: [u8; 32],
	pub rpc_port: u16,
}

impl Validator {
	/// A validator whose node key is 32 bytes of `key_byte`, on a free RPC port.
	pub fn new(chain: &'static str, name: &'static str, key_byte: u8) -> Validator {
		Validator { chain, name, node_key: [key_byte; 32], rpc_port: free_port() }
	}

	pub fn peer_id(&self) -> libp2p::PeerId {
		use libp2p::identity::{ed25519, Keypair};
		let secret = ed25519::SecretKey::try_from_bytes(self.node_key).unwrap();
		Keypair::from(ed25519::Keypair::from(secret)).public().to_peer_id()
	}

	/// Starts (or restarts, on the same database) this validator on p2p port `port`, dialing
	/// `peer` (another validator and its port) if given, with `extra` arguments.
	pub fn start(
		&self,
		dir: &Path,
		port: u16,
		peer: Option<(&Validator, u16)>,
		extra: &[&str],
	) -> (Process, String) {
		let base = dir.join(self.name);
		let base = base.to_str().unwrap();
		let node_key = hex::encode(self.node_key);
		let port = port.to_string();
		let flag = format!("--{}", self.name);
		let mut args = vec!["--chain", self.chain, &flag, "--base-path", base];
		args.extend(["--node-key", &node_key]);
		args.extend(["--port", &port]);
		let bootnode =
			peer.map(|(other, port)| format!("/ip4/127.0.0.1/tcp/{port}/p2p/{}", other.peer_id()));
		if let Some(bootnode) = &bootnode {
			args.extend(["--bootnodes", bootnode]);
		}
		args.extend(extra);
		start_node(dir, self.name, self.rpc_port, &args)
	}
}

/// Follows `client`'s best chain until its finalized block is at least number `at_least`;
/// returns that block's number, or `None` if it does not get there within [`STAGE_TIMEOUT`].
pub async fn wait_for_finalized(client: &Client, at_least: u32) -> Option<u32> {
	let follow = async {
		let mut heads = client.best_heads().await.unwrap();
		while let Some(head) = heads.next().await {
			head.unwrap();
			let finalized = client.finalized_header().await.unwrap().number;
			if finalized >= at_least {
				return finalized;
			}
		}
		panic!("the node closed the block subscription");
	};
	tokio::time::timeout(STAGE_TIMEOUT, follow).await.ok()
}

/// A `--dev` node on free ports with temporary storage, logging to `<dir>/node.log`.
pub fn start_dev_node(dir: &Path, rpc_port: u16, extra: &[&str]) -> (Process, String) {
	let port = free_port().to_string();
	let args: Vec<&str> =
		["--dev", "--tmp", "--port", &port].into_iter().chain(extra.iter().copied()).collect();
	start_node(dir, "node", rpc_port, &args)
}

/// Every provider in the genesis of the dev, local and network chains, by dev account name
/// (`runtime/dev-providers.txt`), in that file's order.
pub fn providers() -> Vec<&'static str> {
	concord_runtime::genesis_config_presets::dev_topology()
		.expect("runtime/dev-providers.txt reads")
		.into_iter()
		.map(|provider| provider.account.into())
		.collect()
}

/// The dev providers that run as `concord worker run` (Alice runs inside the dev node).
pub fn workers() -> Vec<&'static str> {
	providers().into_iter().filter(|name| *name != "Alice").collect()
}

/// Starts `concord worker run` for every dev provider but Alice.
pub fn start_workers(rpc: &str, dir: &Path) -> Vec<Process> {
	workers().into_iter().map(|name| start_worker(rpc, name, dir)).collect()
}

/// A file name for dev account `name` (`Alice//stash` becomes `Alice-stash`).
pub fn file_name(name: &str) -> String {
	name.replace('/', "-").replace("--", "-")
}

/// Where the worker of dev account `name` keeps its state.
pub fn state_dir(dir: &Path, name: &str) -> PathBuf {
	dir.join(file_name(name))
}

/// `concord worker run` for dev account `name`, logging to `<dir>/<name>.log`.
pub fn start_worker(rpc: &str, name: &str, dir: &Path) -> Process {
	let log = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(dir.join(format!("{}.log", file_name(name))))
		.unwrap();
	let child = concord()
		.args(["worker", "run", "--rpc", rpc, "--key", &format!("//{name}")])
		.arg("--state-dir")
		.arg(state_dir(dir, name))
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("starting concord worker");
	Process(child)
}

/// Every log in `dir`, for a failing test's message.
pub fn logs(dir: &Path) -> String {
	let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
		.unwrap()
		.filter_map(|entry| entry.ok().map(|entry| entry.path()))
		.filter(|path| path.extension().is_some_and(|ext| ext == "log"))
		.collect();
	paths.sort();
	paths
		.iter()
		.map(|path| {
			let log = std::fs::read_to_string(path).unwrap_or_default();
			format!("--- {}\n{log}", path.display())
		})
		.collect()
}

pub fn succeed(output: Output, what: &str) -> String {
	let stdout = String::from_utf8_lossy(&output.stdout).trim().to_string();
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "{what} failed:\n{stdout}\n{stderr}");
	stdout
}

/// A command's `--json` document.
pub fn json(stdout: String) -> serde_json::Value {
	serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// The fields `docs/CLI-JSON.md` documents in the first table after the line holding
/// `heading`: the backticked names in its first column. The tests compare them with the keys
/// of real documents, so the page cannot drift from the code.
pub fn documented_fields(heading: &str) -> std::collections::BTreeSet<String> {
	let page = include_str!("../../../docs/CLI-JSON.md");
	let after = page.split_once(heading).unwrap_or_else(|| panic!("{heading} in CLI-JSON.md")).1;
	// The section's own table: the next heading (`#` or a bold command name) ends the search.
	let section =
		after.lines().skip(1).take_while(|line| !line.starts_with('#') && !line.starts_with("**"));
	let fields: std::collections::BTreeSet<String> = section
		.skip_while(|line| !line.starts_with('|'))
		.take_while(|line| line.starts_with('|'))
		.filter_map(|row| row.split('|').nth(1))
		.filter_map(|cell| cell.trim().strip_prefix('`')?.strip_suffix('`').map(str::to_string))
		.collect();
	assert!(!fields.is_empty(), "a table of fields after {heading}");
	fields
}

/// The keys of a JSON object.
pub fn keys(document: &serde_json::Value) -> std::collections::BTreeSet<String> {
	document.as_object().expect("an object").keys().cloned().collect()
}

/// The error a `--json` command failed with (a JSON document on stdout).
pub fn failure(output: Output) -> String {
	failed(output).1["error"].as_str().expect("an error").to_string()
}

/// The exit status of a `--json` command that failed, and its document.
pub fn failed(output: Output) -> (i32, serde_json::Value) {
	assert!(!output.status.success(), "it succeeded: {}", String::from_utf8_lossy(&output.stdout));
	let stdout = String::from_utf8_lossy(&output.stdout).trim().to_string();
	(output.status.code().expect("exited"), json(stdout))
}

/// The section and name of the runtime's refusal a `--json` command failed with: exit status
/// 2, and the names the chain's metadata gives the error.
pub fn refusal(output: Output) -> (String, String) {
	let (status, document) = failed(output);
	assert_eq!((status, &document["kind"]), (2, &serde_json::json!("refused")), "{document}");
	let name = |field: &str| document["refusal"][field].as_str().expect("named").to_string();
	(name("section"), name("name"))
}

pub fn account(name: &str) -> AccountId {
	Signer::from_uri(&format!("//{name}")).unwrap().account().clone()
}

/// The dev provider names of `accounts`, in their order.
pub fn names_of<'a>(accounts: impl IntoIterator<Item = &'a AccountId>) -> Vec<&'static str> {
	accounts
		.into_iter()
		.map(|who| {
			providers().into_iter().find(|name| account(name) == *who).expect("a dev provider")
		})
		.collect()
}

/// Follows the best chain until `done(job)` holds at a block; returns that block and the
/// job, or `None` if it does not within [`STAGE_TIMEOUT`].
pub async fn wait_for_at(
	client: &Client,
	job: u64,
	done: impl Fn(&JobInfo) -> bool,
) -> Option<(Hash, JobInfo)> {
	let follow = async {
		let mut heads = client.best_heads().await.unwrap();
		while let Some(head) = heads.next().await {
			let at = head.unwrap().hash();
			if let Some(info) = client.job(job, at).await.unwrap() {
				if done(&info) {
					return (at, info);
				}
			}
		}
		panic!("the node closed the block subscription");
	};
	tokio::time::timeout(STAGE_TIMEOUT, follow).await.ok()
}

/// Follows the best chain until `done(job)` holds; `None` if it does not within
/// [`STAGE_TIMEOUT`].
pub async fn wait_for(
	client: &Client,
	job: u64,
	done: impl Fn(&JobInfo) -> bool,
) -> Option<JobInfo> {
	wait_for_at(client, job, done).await.map(|(_, info)| info)
}

/// Follows the chain until `done(job)` holds at the finalized block; `None` if it does not
/// within [`STAGE_TIMEOUT`].
pub async fn wait_for_final(
	client: &Client,
	job: u64,
	done: impl Fn(&JobInfo) -> bool,
) -> Option<JobInfo> {
	let follow = async {
		let mut heads = client.best_heads().await.unwrap();
		while let Some(head) = heads.next().await {
			head.unwrap();
			let finalized = client.finalized_header().await.unwrap().hash();
			if let Some(info) = client.job(job, finalized).await.unwrap() {
				if done(&info) {
					return info;
				}
			}
		}
		panic!("the node closed the block subscription");
	};
	tokio::time::timeout(STAGE_TIMEOUT, follow).await.ok()
}

/// `concord --json job fetch` of job `job` as its requester Dave into `<dir>/output.bin`;
/// returns the bytes written and the document it printed (with every log on failure).
pub fn fetch_as_dave(rpc: &str, job: u64, dir: &Path) -> (Vec<u8>, serde_json::Value) {
	let output = dir.join("output.bin");
	let fetch = concord()
		.args(["--json", "job", "fetch", "--rpc", rpc, "--key", "//Dave", &job.to_string()])
		.arg("--output")
		.arg(&output)
		.arg("--store")
		.arg(dir.join("dave-store"))
		.output()
		.unwrap();
	let fetched = json(succeed(fetch, &format!("concord job fetch\n{}", logs(dir))));
	(std::fs::read(&output).unwrap(), fetched)
}

/// `concord --json job submit --wait` as Dave with `args`, within a stage's time; returns its
/// document.
pub async fn submit_and_wait(
	rpc: &str,
	args: Vec<std::ffi::OsString>,
	dir: &Path,
) -> serde_json::Value {
	let mut submit = concord();
	submit.args(["--json", "job", "submit", "--rpc", rpc, "--key", "//Dave", "--wait"]).args(args);
	let submitted =
		tokio::time::timeout(STAGE_TIMEOUT, tokio::task::spawn_blocking(move || submit.output()))
			.await
			.unwrap_or_else(|_| panic!("the job did not end in time\n{}", logs(dir)))
			.unwrap()
			.unwrap();
	json(succeed(submitted, &format!("concord job submit\n{}", logs(dir))))
}

/// `concord job submit` as Dave with `args`; returns the job's number.
pub fn submit_job(rpc: &str, args: &[&str]) -> u64 {
	let submitted = concord()
		.args(["job", "submit", "--rpc", rpc, "--key", "//Dave"])
		.args(args)
		.output()
		.unwrap();
	succeed(submitted, "concord job submit").parse().expect("a job number")
}

/// Plays the dev accounts `names` as providers on every block until the task is aborted: one
/// drawn into an open job commits to `hash(job, round, index in names)` and reveals it when
/// the round's reveals open; where that is `None` (a hash it cannot know yet), it tries again
/// at the next block.
pub async fn play_providers(
	rpc: String,
	names: Vec<String>,
	hash: impl Fn(u64, u8, usize) -> Option<H256> + Send + 'static,
) {
	let client = Arc::new(Client::connect(&rpc).await.unwrap());
	let signers: Arc<Vec<Signer>> = Arc::new(
		names.iter().map(|name| Signer::from_uri(&format!("//{name}")).unwrap()).collect(),
	);
	let salt = [7u8; 32];
	// The duties sent, as (job, round, player, duty): each is sent once.
	let mut sent = HashSet::new();
	let mut heads = client.best_heads().await.unwrap();
	while let Some(head) = heads.next().await {
		let at = head.unwrap().hash();
		for job in client.open_jobs(at).await.unwrap() {
			let Some(info) = client.job(job, at).await.unwrap() else { continue };
			for assignee in info.assignees.iter().filter(|a| a.round == info.round) {
				let Some(index) = signers.iter().position(|s| *s.account() == assignee.provider)
				else {
					continue;
				};
				let Some(result_hash) = hash(job, info.round, index) else { continue };
				let call = match info.phase {
					Phase::Committing { .. } if assignee.commitment.is_none() => {
						let me = assignee.provider.encode();
						let commitment = H256(commitment(&result_hash.0, &salt, &me));
						("commit", RuntimeCall::Jobs(pallet_jobs::Call::commit { job, commitment }))
					}
					Phase::Revealing { .. }
						if assignee.commitment.is_some() && assignee.revealed.is_none() =>
					{
						let reveal = pallet_jobs::Call::reveal { job, result_hash, salt };
						("reveal", RuntimeCall::Jobs(reveal))
					}
					_ => continue,
				};
				if sent.insert((job, info.round, index, call.0)) {
					let (client, signers) = (client.clone(), signers.clone());
					tokio::spawn(async move {
						if let Err(e) = client.submit(&signers[index], call.1).await {
							eprintln!("the played {} of job {job} failed: {e:#}", call.0);
						}
					});
				}
			}
		}
	}
}
