//! `concord job ...`: submit a job, follow it, read its state.

use super::{
	chain_args::{ChainArgs, NodeArgs},
	params::{JobArgs, JobInput},
	Output,
};
use clap::{Args, Subcommand};
use concord_primitives::market::verdict;
use concord_worker::data::{Serving, Store};
use concord_worker::report::{self, cord, pool_safety, pool_safety_json, units};
use concord_worker::{
	chain::{Client, JobId, RuntimeCall, RuntimeEvent},
	requester::{self, Ending, JobRequest},
};
use pallet_jobs::InputSpec;
use serde_json::{json, Value};
use sp_core::H256;

#[derive(Subcommand)]
pub enum JobCommand {
	/// Submit a job; prints the job number. An input up to the chain's inline limit rides on
	/// chain; a larger one is served from here (--serve-on) until the job ends.
	Submit(SubmitArgs),
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
	#[arg(long, value_name = "HEX", conflicts_with_all = ["key", "keystore_path"])]
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
	/// least at which the chain's draw has its full pool (twice the replicas) now.
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
	/// Follow the job until it ends, as `job wait` does (always, for a remote input).
	#[arg(long)]
	wait: bool,
	/// Where to serve an input too large to carry on chain, until the job ends: an address
	/// the providers reach this machine at (port 0: any free port).
	#[arg(long, value_name = "MULTIADDR", default_value = "/ip4/127.0.0.1/tcp/0")]
	serve_on: libp2p::Multiaddr,
	/// Where the input's hash tree is kept while it is served.
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
		reward: args.reward,
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
	// A requester that serves the input follows the job: its input is needed until the end.
	if !args.wait && serving.is_none() {
		out.print(submitted.job, value);
		return Ok(());
	}
	out.line(submitted.job);
	let hash = match &serving {
		None => wait(&client, submitted.job, out).await?,
		Some(_) => follow_while_serving(&args.chain.rpc, client, submitted.job, out).await?,
	};
	drop(serving);
	value["result_hash"] = json!(hash);
	out.print(&hash, value);
	Ok(())
}

/// Follows a job whose input this process serves until it ends, as [`wait`] does, but a lost
/// node does not end it: the providers still fetch the input, so it connects again (every 5
/// seconds) and follows on.
async fn follow_while_serving(
	rpc: &str,
	mut client: Client,
	job: JobId,
	out: Output,
) -> anyhow::Result<String> {
	loop {
		match wait(&client, job, out).await {
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
			ended => return ended,
		}
	}
}

/// A remote input being served, from a store of its own (so that nothing else is served with
/// it, and two submissions never share files), removed when dropped.
struct ServedInput {
	serving: Serving,
	dir: std::path::PathBuf,
}

impl Drop for ServedInput {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.dir);
	}
}

/// Adds a remote input to a store of its own in place (its bytes stay in the file; generated
/// ones are written into that store first), starts serving it on `--serve-on` and says where;
/// returns what the job names as its input, and the serving, which stops when dropped.
async fn serve_input(
	args: &SubmitArgs,
	input: JobInput,
	out: Output,
) -> anyhow::Result<(InputSpec, ServedInput)> {
	let dir = args.store.open()?.dir().join(format!("serving-{}", std::process::id()));
	let store = Store::open(&dir)?;
	let path = match input {
		JobInput::File(path) => path,
		JobInput::Bytes(bytes) => {
			let path = dir.join("generated-input");
			std::fs::write(&path, bytes)?;
			path
		}
	};
	let blob = {
		let store = store.clone();
		tokio::task::spawn_blocking(move || store.add(&path)).await??
	};
	let serving = Serving::start(args.serve_on.clone(), store).await?;
	out.progress(format!("serving the input {blob} at {} until the job ends", serving.address));
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
	Ok((input, ServedInput { serving, dir }))
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
	lines.extend(fetched.sources.iter().map(super::blob::source_line));
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
	let mut last = String::new();
	let progress = |block: u32, info: &concord_worker::chain::JobInfo, why: Option<&_>| {
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
	let ending = requester::wait(client, job, progress).await;
	out.end_status();
	let phase = match ending? {
		Ending::Attested(result_hash) => return Ok(report::hash(&result_hash)),
		Ending::Failed(reason) => pallet_jobs::Phase::Failed { reason },
		Ending::Cancelled => pallet_jobs::Phase::Cancelled,
	};
	Err(requester::NoResult { job, phase: report::phase(&phase) }.into())
}
