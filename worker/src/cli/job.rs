//! `concord job ...`: submit a job, follow it, read its state.

use super::{
	chain_args::{ChainArgs, NodeArgs},
	params::{JobArgs, JobInput},
	Output,
};
use clap::{Args, Subcommand};
use concord_primitives::market::verdict;
use concord_worker::data::{BlobRef, Serving, Store};
use concord_worker::report::{self, cord, pool_safety, pool_safety_json, units};
use concord_worker::{
	chain::{Client, JobId, JobInfo, RuntimeCall, RuntimeEvent},
	requester::{self, JobRequest, Reward},
};
use pallet_jobs::InputSpec;
use serde_json::{json, Value};
use sp_core::H256;

#[derive(Subcommand)]
pub enum JobCommand {
	/// Submit a job; prints the job number. An input up to the chain's inline limit rides on
	/// chain; a larger one is served from here (--serve-on) until a quorum of the providers
	/// has committed (they hold it then, and serve it to the rest), or with --wait until the
	/// job ends.
	Submit(SubmitArgs),
	/// Serve a job's remote input again, at the address the job names, as the requester that
	/// submitted it from this machine (after a crash, or for an escalation's panel); until a
	/// quorum has committed, or with --wait until the job ends.
	Serve(ServeArgs),
	/// Print a job's state once.
	Status(JobRef),
	/// Print every open job's state, one a line, oldest first.
	List(NodeArgs),
	/// Follow a job until it ends; prints the attested result hash, or fails with the reason.
	Wait(JobRef),
	/// Cancel a job no provider has taken yet, for a full refund.
	Cancel(CancelArgs),
	/// Fetch an attested job's output from the providers that computed it (libp2p,
	/// /concord/blob/2), checked against the attested hash. Providers serve it to the job's
	/// requester (--key) or to whoever holds a grant the requester signed (--grant).
	Fetch(FetchArgs),
	/// As the job's requester, sign a grant that lets its holder fetch the job's attested
	/// output (`job fetch --grant`); prints the grant.
	Grant(GrantArgs),
}

#[derive(Args)]
pub struct FetchArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// The job number.
	job: JobId,
	/// A grant from the job's requester (`concord job grant`), instead of its key.
	#[arg(long, value_name = "HEX", conflicts_with_all = ["key", "signing_keystore_path"])]
	grant: Option<String>,
	/// Write the output bytes here.
	#[arg(long)]
	output: std::path::PathBuf,
	/// Where the output is downloaded, piece by piece, before it is moved to `--output` (a
	/// fetch cut short resumes from what is there).
	#[command(flatten)]
	store: super::blob::StoreArg,
}

#[derive(Args)]
pub struct GrantArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// The job number.
	job: JobId,
}

#[derive(Args)]
pub struct CancelArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// The job number.
	job: JobId,
}

#[derive(Args)]
pub struct SubmitArgs {
	#[command(flatten)]
	chain: ChainArgs,
	#[command(flatten)]
	job: JobArgs,
	/// Providers that run the job.
	#[arg(long, default_value_t = 3)]
	replicas: u32,
	/// Matching results needed; more than half of the replicas (the default is a majority).
	#[arg(long)]
	quorum: Option<u32>,
	/// Reward per replica, in the smallest unit (`1500`) or in CORD (`0.5CORD`); by default the
	/// least at which the chain's draw has its full pool (twice the replicas) when the job is
	/// included (priced again if the market moved before it was).
	#[arg(long, value_parser = super::amount::amount)]
	reward: Option<u128>,
	/// Blocks the providers have to run the job and commit; by default 20, or the shortest
	/// the job's work allows if that is longer. The chain takes at most ten times the
	/// shortest (and half an hour).
	#[arg(long)]
	commit_window: Option<u32>,
	/// Blocks they then have to reveal (the chain takes at most 100).
	#[arg(long, default_value_t = concord_worker::requester::DEFAULT_REVEAL_WINDOW)]
	reveal_window: u32,
	/// Follow the job until it ends, as `job wait` does (and serve a remote input until then).
	#[arg(long)]
	wait: bool,
	/// Where to serve an input too large to carry on chain: an address the providers reach
	/// this machine at (port 0: any free port).
	#[arg(long, value_name = "MULTIADDR", default_value = "/ip4/127.0.0.1/tcp/0")]
	serve_on: libp2p::Multiaddr,
	/// Where the input's hash tree is kept while it is served, and the identity it is served
	/// as for good (`job serve` needs it).
	#[command(flatten)]
	store: super::blob::StoreArg,
}

#[derive(Args)]
pub struct ServeArgs {
	/// The node's WebSocket JSON-RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944", value_name = "URL")]
	rpc: String,
	/// The job number.
	job: JobId,
	/// The job's input: the file it was submitted with.
	#[arg(long, value_name = "FILE")]
	input: std::path::PathBuf,
	/// Serve until the job ends, not only until a quorum has committed.
	#[arg(long)]
	wait: bool,
	/// The store `job submit` used (it keeps the identity the input is served as).
	#[command(flatten)]
	store: super::blob::StoreArg,
}

#[derive(Args)]
pub struct JobRef {
	/// The node's WebSocket JSON-RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944", value_name = "URL")]
	rpc: String,
	/// The job number.
	job: JobId,
}

impl JobCommand {
	pub fn run(self, out: Output) -> anyhow::Result<()> {
		tokio::runtime::Runtime::new()?.block_on(async {
			match self {
				JobCommand::Submit(args) => submit(args, out).await,
				JobCommand::Serve(args) => serve(args, out).await,
				JobCommand::Status(args) => status(args, out).await,
				JobCommand::List(args) => list(args, out).await,
				JobCommand::Cancel(args) => cancel(args, out).await,
				JobCommand::Grant(args) => grant(args, out).await,
				JobCommand::Fetch(args) => fetch(args, out).await,
				JobCommand::Wait(args) => {
					let client = Client::connect(&args.rpc).await?;
					let hash = wait(&client, args.job, out).await?;
					out.print(&hash, json!({ "job": args.job, "result_hash": hash }));
					Ok(())
				}
			}
		})
	}
}

async fn submit(args: SubmitArgs, out: Output) -> anyhow::Result<()> {
	let signer = args.chain.signer()?;
	let client = Client::connect(&args.chain.rpc).await?;
	let quorum = args.quorum.unwrap_or(verdict::majority(args.replicas));
	let (input, serving) = match args.job.job_input(requester::inline_bound())? {
		JobInput::Bytes(bytes) if bytes.len() as u64 <= requester::inline_bound() => {
			(InputSpec::Inline(bytes), None)
		}
		input => {
			let (spec, serving) = serve_input(&args, input, out).await?;
			(spec, Some(serving))
		}
	};
	let request = JobRequest {
		kernel: args.job.kernel,
		input,
		params: args.job.params,
		replicas: args.replicas,
		quorum,
		reward: args.reward.map_or(Reward::Market, Reward::Exactly),
		commit_window: args.commit_window,
		reveal_window: args.reveal_window,
	};
	let submitted = requester::submit(&client, &signer, request).await?;
	out.progress(format!(
		"job {} submitted: reward {} per replica, {} held in escrow (unused escalations are \
		 refunded), drawn from {} providers (at least {} needed), commit window {} blocks",
		submitted.job,
		cord(submitted.reward),
		cord(submitted.escrow),
		submitted.pool,
		submitted.pool_needed,
		submitted.commit_window
	));
	out.progress(pool_safety(submitted.pool_share, &submitted.capture, quorum));
	let mut value = json!({
		"job": submitted.job,
		"reward": units(submitted.reward),
		"escrow": units(submitted.escrow),
		"pool": submitted.pool,
		"pool_needed": submitted.pool_needed,
		"commit_window": submitted.commit_window,
	});
	if let (Value::Object(value), Value::Object(safety)) =
		(&mut value, pool_safety_json(submitted.pool_share, &submitted.capture))
	{
		value.extend(safety);
	}
	if let Some(served) = &serving {
		value["input_source"] = json!(served.serving.address.to_string());
	}
	if !args.wait && serving.is_none() {
		out.print(submitted.job, value);
		return Ok(());
	}
	out.line(submitted.job);
	let followed = match &serving {
		None => Some(wait(&client, submitted.job, out).await?),
		Some(served) => {
			let (job, until) = ((submitted.job, served.blob), (args.wait, served.scratch()));
			follow_while_serving(&args.chain.rpc, client, job, until, out).await?
		}
	};
	drop(serving);
	print_followed(out, submitted.job, followed, value);
	Ok(())
}

/// Prints how following a job ended for `job submit` and `job serve`: its attested result
/// hash, or that a quorum of its providers holds its input; `value` gains the field.
fn print_followed(out: Output, job: JobId, followed: Option<String>, mut value: Value) {
	match followed {
		Some(hash) => {
			value["result_hash"] = json!(hash);
			out.print(&hash, value);
		}
		None => {
			value["input_held"] = json!(true);
			out.print(input_held_line(job), value);
		}
	}
}

/// What `job submit` and `job serve` say when they stop serving a job's input because a
/// quorum of its assignees holds it.
fn input_held_line(job: JobId) -> String {
	format!(
		"a quorum of job {job}'s providers has committed and served random pieces of the input \
		 that proved themselves: they serve it to the rest, so this machine may go offline \
		 (`concord job wait \
		 {job}` follows the job; `concord job serve {job} --input FILE` serves the input again)"
	)
}

/// Serves job `args.job`'s remote input again from `args.input`, at the address the job
/// names, as the identity `job submit` kept for it in `args.store`.
async fn serve(args: ServeArgs, out: Output) -> anyhow::Result<()> {
	let client = Client::connect(&args.rpc).await?;
	let info = client.existing_job(args.job, client.best_header().await?.hash()).await?;
	let Some(source) = &info.spec.input.source else {
		anyhow::bail!("job {} carries its input on chain: there is nothing to serve", args.job);
	};
	let source: libp2p::Multiaddr = String::from_utf8_lossy(source).parse()?;
	let mut listen = source.clone();
	let Some(libp2p::multiaddr::Protocol::P2p(peer)) = listen.pop() else {
		anyhow::bail!("job {}'s input source {source} names no peer id", args.job);
	};
	let identities = input_identities(&args.store)?;
	let identity = concord_worker::blobs::input_identity(&identities, &peer)?.ok_or_else(|| {
		anyhow::anyhow!(
			"job {}'s input is served as {peer}, whose key is not in {}: it was submitted \
			 from another machine or store (--store)",
			args.job,
			identities.display()
		)
	})?;
	let dir = OwnDir::serving(&args.store.open()?)?;
	let store = Store::open(&dir.0)?;
	let path = args.input.clone();
	let blob = tokio::task::spawn_blocking(move || store.add(&path).map(|blob| (blob, store)));
	let (blob, store) = blob.await??;
	let wanted = (H256(blob.root), blob.size);
	if wanted != (info.spec.input.hash, info.spec.input.size) {
		anyhow::bail!(
			"{} is not job {}'s input: it has the BLAKE3 root {blob}, and the job names 0x{} \
			 of {} bytes",
			args.input.display(),
			args.job,
			hex::encode(info.spec.input.hash),
			info.spec.input.size
		);
	}
	let served = ServedInput { serving: Serving::start(listen, identity, store).await?, blob, dir };
	out.progress(format!("serving job {}'s input {blob} at {source} again", args.job));
	let until = (args.wait, served.scratch());
	let followed = follow_while_serving(&args.rpc, client, (args.job, blob), until, out).await?;
	drop(served);
	let value = json!({ "job": args.job, "input_source": source.to_string() });
	print_followed(out, args.job, followed, value);
	Ok(())
}

/// Follows a job whose input `blob` this process serves until it ends (`until_end`) or a
/// quorum of its current round's assignees have committed and hold the input (each probed for
/// random pieces, into `scratch`); returns the attested result hash, or `None` if it stopped
/// for the quorum. As [`wait`], but a lost node does not end it: the providers still fetch
/// the input, so it connects again (every 5 seconds) and follows on.
async fn follow_while_serving(
	rpc: &str,
	mut client: Client,
	(job, blob): (JobId, BlobRef),
	(until_end, scratch): (bool, std::path::PathBuf),
	out: Output,
) -> anyhow::Result<Option<String>> {
	let mut holders = (!until_end).then(|| requester::Holders::new(blob, scratch));
	loop {
		let enough = async |info: &JobInfo, at| match &mut holders {
			Some(holders) => holders.quorum_holds(&client, info, at).await,
			None => false,
		};
		match follow(&client, job, out, enough).await {
			Err(e) if e.downcast_ref::<requester::NoResult>().is_none() => {
				out.progress(format!("following job {job} failed: {e:#}; still serving its input"));
				client = loop {
					tokio::time::sleep(std::time::Duration::from_secs(5)).await;
					match Client::connect(rpc).await {
						Ok(client) => break client,
						Err(e) => out.progress(format!("{rpc}: {e:#}; trying again")),
					}
				};
			}
			followed => return followed,
		}
	}
}

/// A remote input being served, from a store of its own (so that nothing else is served with
/// it, and two submissions never share files), removed when dropped.
struct ServedInput {
	/// Dropped first: it stops serving before its store goes.
	serving: Serving,
	blob: BlobRef,
	dir: OwnDir,
}

impl ServedInput {
	/// Where the pieces of the probes of who holds it go (and are removed from).
	fn scratch(&self) -> std::path::PathBuf {
		self.dir.0.join("probes")
	}
}

/// A directory of this process's own, removed with all in it when dropped.
struct OwnDir(std::path::PathBuf);

impl OwnDir {
	/// `<store>/serving-<pid>`, for an input this process serves; first removes those of
	/// processes no longer running (a submission killed before it ended leaves its own, with
	/// a generated input in it).
	fn serving(store: &Store) -> anyhow::Result<OwnDir> {
		for entry in std::fs::read_dir(store.dir())? {
			let name = entry?.file_name();
			let pid = name.to_str().and_then(|name| name.strip_prefix("serving-"));
			let Some(pid) = pid.and_then(|pid| pid.parse::<u32>().ok()) else { continue };
			if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
				let _ = std::fs::remove_dir_all(store.dir().join(name));
			}
		}
		Ok(OwnDir(store.dir().join(format!("serving-{}", std::process::id()))))
	}
}

impl Drop for OwnDir {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}

/// Where the identities remote inputs are served as are kept: a directory of the store's own,
/// which no server ever serves from.
fn input_identities(store: &super::blob::StoreArg) -> anyhow::Result<std::path::PathBuf> {
	Ok(store.open()?.dir().join("input-identities"))
}

/// Adds a remote input to a store of its own in place (its bytes stay in the file; generated
/// ones are written into that store first), starts serving it on `--serve-on` as a fresh
/// identity kept for `job serve`, and says where; returns what the job names as its input,
/// and the serving, which stops when dropped.
async fn serve_input(
	args: &SubmitArgs,
	input: JobInput,
	out: Output,
) -> anyhow::Result<(InputSpec, ServedInput)> {
	let dir = OwnDir::serving(&args.store.open()?)?;
	let store = Store::open(&dir.0)?;
	let path = match input {
		JobInput::File(path) => path,
		JobInput::Bytes(bytes) => {
			let path = dir.0.join("generated-input");
			std::fs::write(&path, bytes)?;
			path
		}
	};
	let blob = {
		let store = store.clone();
		tokio::task::spawn_blocking(move || store.add(&path)).await??
	};
	let identity = concord_worker::blobs::create_input_identity(&input_identities(&args.store)?)?;
	let serving = Serving::start(args.serve_on.clone(), identity, store).await?;
	out.progress(format!(
		"serving the input {blob} at {} until a quorum of providers holds it{}",
		serving.address,
		if args.wait { " and the job ends" } else { "" }
	));
	if !serving.reachable_from_outside() {
		out.progress(format!(
			"warning: {} is not reachable from other networks: providers elsewhere cannot \
			 fetch the input, and the job fails if too few can (pass --serve-on with an \
			 address they reach)",
			serving.address
		));
	}
	let source = serving.address.to_string().into_bytes();
	let input = InputSpec::Remote { hash: H256(blob.root), size: blob.size, source };
	Ok((input, ServedInput { serving, blob, dir }))
}

/// Prints a grant, signed by the job's requester, to fetch its attested output.
async fn grant(args: GrantArgs, out: Output) -> anyhow::Result<()> {
	let signer = args.chain.signer()?;
	let client = Client::connect(&args.chain.rpc).await?;
	let (_, job, result_hash) = requester::attested(&client, args.job).await?;
	anyhow::ensure!(
		job.requester == *signer.account(),
		"job {} was requested by {}, not by {}",
		args.job,
		job.requester,
		signer.account()
	);
	let grant = signer.grant(&result_hash.0).to_hex();
	out.print(
		&grant,
		json!({ "job": args.job, "result_hash": report::hash(&result_hash), "grant": grant }),
	);
	Ok(())
}

/// Fetches a job's attested output as its requester (`--key`) or with a grant (`--grant`).
async fn fetch(args: FetchArgs, out: Output) -> anyhow::Result<()> {
	let client = Client::connect(&args.chain.rpc).await?;
	let signer;
	let reader = match &args.grant {
		Some(grant) => requester::Reader::Holder(concord_worker::data::Grant::from_hex(grant)?),
		None => {
			signer = args.chain.signer()?;
			requester::Reader::Requester(&signer)
		}
	};
	let store = args.store.open()?;
	let result = requester::fetch_result(&client, args.job, &reader, &store).await?;
	let fetched = &result.fetched;
	// Moved out of the store (copied where it is on another disk): the store keeps only
	// downloads in progress.
	if same_file(&fetched.path, &args.output) {
		// `--output` is the store's copy itself (a file added in place): already there.
	} else if fetched.sources.is_empty() {
		// The store held it before this fetch (a file added in place, or a blob it serves):
		// left as it was.
		std::fs::copy(&fetched.path, &args.output)?;
	} else {
		// Downloaded for this fetch: moved out, so that the store keeps only downloads in
		// progress (copied where `--output` is on another disk).
		if std::fs::rename(&fetched.path, &args.output).is_err() {
			std::fs::copy(&fetched.path, &args.output)?;
		}
		store.remove(&result.blob)?;
	}
	let mut lines = vec![format!(
		"{} bytes written to {} ({} pieces)",
		result.blob.size,
		args.output.display(),
		fetched.pieces
	)];
	lines.extend(fetched.sources.iter().map(report::source_line));
	out.progress(lines.join("\n"));
	let hash = report::hash(&result.result_hash);
	out.print(
		&hash,
		json!({
			"job": args.job,
			"result_hash": hash,
			"bytes": result.blob.size,
			"output": args.output.display().to_string(),
			"pieces": fetched.pieces,
			"sources": fetched.sources.iter().map(super::blob::source_json).collect::<Vec<_>>(),
			"bad_peers": fetched.bad_sources().map(super::blob::source_json).collect::<Vec<_>>(),
		}),
	);
	Ok(())
}

/// Whether `a` and `b` name one file (both exist, and resolve to the same path).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
	match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
		(Ok(a), Ok(b)) => a == b,
		_ => false,
	}
}

async fn cancel(args: CancelArgs, out: Output) -> anyhow::Result<()> {
	let signer = args.chain.signer()?;
	let client = Client::connect(&args.chain.rpc).await?;
	// A job the chain does not hold is not found, as for every other job command, rather than
	// a cancellation the runtime refuses.
	client.existing_job(args.job, client.best_header().await?.hash()).await?;
	let call = RuntimeCall::Jobs(pallet_jobs::Call::cancel { job: args.job });
	let included = client.submit(&signer, call).await?;
	let refunded = included.events.iter().find_map(|event| match event {
		RuntimeEvent::Jobs(pallet_jobs::Event::Refunded { amount, .. }) => Some(*amount),
		_ => None,
	});
	let cancelled = included
		.events
		.iter()
		.any(|event| matches!(event, RuntimeEvent::Jobs(pallet_jobs::Event::Cancelled { .. })));
	anyhow::ensure!(cancelled, "the cancellation was included but emitted no Cancelled event");
	let refunded = refunded.unwrap_or_default();
	out.print(
		format!("job {} cancelled; {} released back to the requester", args.job, cord(refunded)),
		json!({ "job": args.job, "cancelled": true, "refunded": units(refunded) }),
	);
	Ok(())
}

async fn status(args: JobRef, out: Output) -> anyhow::Result<()> {
	let client = Client::connect(&args.rpc).await?;
	let at = client.best_header().await?.hash();
	let job = client.existing_job(args.job, at).await?;
	let why = requester::why_unassigned(&client, args.job, &job, at).await?;
	out.print(report::job_line(&job, why.as_ref()), report::job_json(args.job, &job, why.as_ref()));
	Ok(())
}

async fn list(args: NodeArgs, out: Output) -> anyhow::Result<()> {
	let client = Client::connect(&args.rpc).await?;
	let at = client.best_header().await?.hash();
	let open = client.open_jobs(at).await?;
	let mut lines = Vec::new();
	let mut jobs = Vec::new();
	for id in &open {
		let job = client.existing_job(*id, at).await?;
		let why = requester::why_unassigned(&client, *id, &job, at).await?;
		let line = report::job_line(&job, why.as_ref());
		lines.push(format!("{id}: {} for {}: {line}", job.spec.kernel.name(), job.requester));
		jobs.push(report::job_json(*id, &job, why.as_ref()));
	}
	lines.push(format!("{} open jobs", open.len()));
	out.print(lines.join("\n"), json!({ "jobs": jobs }));
	Ok(())
}

/// Follows a job until it ends, with progress on stderr; returns the attested result hash in
/// hex, and fails with the reason if the job ends without one.
async fn wait(client: &Client, job: JobId, out: Output) -> anyhow::Result<String> {
	let hash = follow(client, job, out, async |_: &JobInfo, _| false).await?;
	hash.ok_or_else(|| anyhow::anyhow!("job {job} stopped being followed before it ended"))
}

/// As [`wait`], but stops with `None` at the first block where `enough(job, block)` holds
/// while the job is open.
async fn follow(
	client: &Client,
	job: JobId,
	out: Output,
	enough: impl AsyncFnMut(&JobInfo, concord_worker::chain::Hash) -> bool,
) -> anyhow::Result<Option<String>> {
	let mut last = String::new();
	let progress = |block: u32, info: &JobInfo, why: Option<&_>| {
		let line = report::job_line(info, why);
		if line == last {
			return;
		}
		// How far the job is through its current window, counted from its submission.
		let until = match info.phase {
			pallet_jobs::Phase::Queued { until }
			| pallet_jobs::Phase::Committing { until }
			| pallet_jobs::Phase::Revealing { until } => until,
			_ => block,
		};
		let since = info.submitted_at;
		let bar = super::output::bar(block.saturating_sub(since), until.saturating_sub(since));
		out.status(format!("job {job}: #{block} {bar} {line}"));
		last = line;
	};
	let ending = requester::follow(client, job, progress, enough).await;
	out.end_status();
	match ending? {
		None => Ok(None),
		Some(ending) => Ok(Some(report::hash(&ending.attested(job)?))),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The dashboard's submit page offers the same replicas and takes the same default quorum
	/// (`ui/src/quorum.ts`); both read these vectors.
	#[test]
	fn the_default_quorum_is_the_majority_the_dashboard_takes() {
		let vectors: serde_json::Value =
			serde_json::from_str(include_str!("../../../tests/vectors/majority.json")).unwrap();
		for case in vectors["cases"].as_array().unwrap() {
			let replicas = case["replicas"].as_u64().unwrap() as u32;
			assert_eq!(verdict::majority(replicas), case["majority"].as_u64().unwrap() as u32);
		}
		let command = SubmitArgs::augment_args(clap::Command::new("submit"));
		let replicas = command.get_arguments().find(|arg| arg.get_id() == "replicas").unwrap();
		let default = replicas.get_default_values().first().unwrap().to_str().unwrap();
		assert_eq!(default, vectors["default_replicas"].to_string());
	}

	#[test]
	fn serving_sweeps_the_directories_of_processes_gone_and_no_other() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let gone = dir.path().join(format!("serving-{}", u32::MAX));
		std::fs::create_dir_all(gone.join("probes")).unwrap();
		std::fs::write(gone.join("generated-input"), b"left behind").unwrap();
		// pid 1 is always running.
		let running = dir.path().join("serving-1");
		std::fs::create_dir_all(&running).unwrap();
		let other = dir.path().join("input-identities");
		std::fs::create_dir_all(&other).unwrap();
		let own = OwnDir::serving(&store).unwrap();
		assert!(!gone.exists(), "swept");
		assert!(running.exists() && other.exists(), "left");
		std::fs::create_dir_all(&own.0).unwrap();
		let path = own.0.clone();
		drop(own);
		assert!(!path.exists(), "removed when dropped");
	}
}
