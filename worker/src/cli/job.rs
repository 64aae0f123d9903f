//! `concord job ...`: submit a job, follow it, read its state.

use super::{
	chain_args::{ChainArgs, NodeArgs},
	params::JobArgs,
};
use clap::{Args, Subcommand};
use concord_worker::{
	chain::{Client, JobId, RuntimeCall, RuntimeEvent},
	requester::{self, Ending, JobRequest},
};

#[derive(Subcommand)]
pub enum JobCommand {
	/// Submit a job with its input on chain; prints the job number.
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
	#[arg(long, value_name = "HEX", conflicts_with = "key")]
	grant: Option<String>,
	/// Write the output bytes here.
	#[arg(long)]
	output: std::path::PathBuf,
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
	/// the job's work allows if that is longer.
	#[arg(long)]
	commit_window: Option<u32>,
	/// Blocks they then have to reveal.
	#[arg(long, default_value_t = 10)]
	reveal_window: u32,
	/// Follow the job until it ends, as `job wait` does.
	#[arg(long)]
	wait: bool,
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
	pub fn run(self) -> anyhow::Result<()> {
		tokio::runtime::Runtime::new()?.block_on(async {
			match self {
				JobCommand::Submit(args) => submit(args).await,
				JobCommand::Status(args) => status(args).await,
				JobCommand::List(args) => list(args).await,
				JobCommand::Cancel(args) => cancel(args).await,
				JobCommand::Grant(args) => grant(args).await,
				JobCommand::Fetch(args) => fetch(args).await,
				JobCommand::Wait(args) => {
					let client = Client::connect(&args.rpc).await?;
					wait(&client, args.job).await
				}
			}
		})
	}
}

async fn submit(args: SubmitArgs) -> anyhow::Result<()> {
	let signer = args.chain.signer()?;
	let client = Client::connect(&args.chain.rpc).await?;
	let request = JobRequest {
		kernel: args.job.kernel,
		input: args.job.input()?,
		params: args.job.params,
		replicas: args.replicas,
		quorum: args.quorum.unwrap_or(args.replicas / 2 + 1),
		reward: args.reward,
		commit_window: args.commit_window,
		reveal_window: args.reveal_window,
	};
	let submitted = requester::submit(&client, &signer, request).await?;
	eprintln!(
		"job {} submitted: reward {} per replica, {} held in escrow (unused escalations are \
		 refunded), drawn from {} providers (at least {} needed), commit window {} blocks",
		submitted.job,
		submitted.reward,
		submitted.escrow,
		submitted.pool,
		submitted.pool_needed,
		submitted.commit_window
	);
	println!("{}", submitted.job);
	if args.wait {
		wait(&client, submitted.job).await?;
	}
	Ok(())
}

/// Prints a grant, signed by the job's requester, to fetch its attested output.
async fn grant(args: GrantArgs) -> anyhow::Result<()> {
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
	println!("{}", signer.grant(&result_hash.0).to_hex());
	Ok(())
}

/// Fetches a job's attested output as its requester (`--key`) or with a grant (`--grant`).
async fn fetch(args: FetchArgs) -> anyhow::Result<()> {
	let client = Client::connect(&args.chain.rpc).await?;
	let signer;
	let reader = match &args.grant {
		Some(grant) => requester::Reader::Holder(concord_worker::blobs::Grant::from_hex(grant)?),
		None => {
			signer = args.chain.signer()?;
			requester::Reader::Requester(&signer)
		}
	};
	let (hash, output) = requester::fetch_result(&client, args.job, &reader).await?;
	std::fs::write(&args.output, &output)?;
	eprintln!("{} bytes written to {}", output.len(), args.output.display());
	println!("{}", hex::encode(hash));
	Ok(())
}

async fn cancel(args: CancelArgs) -> anyhow::Result<()> {
	let signer = args.chain.signer()?;
	let client = Client::connect(&args.chain.rpc).await?;
	let call = RuntimeCall::Jobs(pallet_jobs::Call::cancel { job: args.job });
	let included = client.submit(&signer, call).await?;
	let cancelled = included
		.events
		.iter()
		.any(|event| matches!(event, RuntimeEvent::Jobs(pallet_jobs::Event::Cancelled { .. })));
	anyhow::ensure!(cancelled, "the cancellation was included but emitted no Cancelled event");
	eprintln!("job {} cancelled; its escrow and deposit are released", args.job);
	Ok(())
}

async fn status(args: JobRef) -> anyhow::Result<()> {
	let client = Client::connect(&args.rpc).await?;
	let at = client.best_header().await?.hash();
	let job = client.existing_job(args.job, at).await?;
	println!("{}", requester::describe(&client, args.job, &job, at).await?);
	Ok(())
}

async fn list(args: NodeArgs) -> anyhow::Result<()> {
	let client = Client::connect(&args.rpc).await?;
	let at = client.best_header().await?.hash();
	let open = client.open_jobs(at).await?;
	for id in &open {
		let job = client.existing_job(*id, at).await?;
		let kernel = job.spec.kernel.name();
		let line = requester::describe(&client, *id, &job, at).await?;
		println!("{id}: {kernel} for {}: {line}", job.requester);
	}
	eprintln!("{} open jobs", open.len());
	Ok(())
}

/// Prints progress on stderr and the attested result hash on stdout; an ending without a
/// result is an error (non-zero exit).
async fn wait(client: &Client, job: JobId) -> anyhow::Result<()> {
	match requester::wait(client, job, |line| eprintln!("job {job}: {line}")).await? {
		Ending::Attested(result_hash) => {
			println!("{}", hex::encode(result_hash));
			Ok(())
		}
		Ending::Failed(reason) => anyhow::bail!("job {job} failed: {reason}"),
		Ending::Cancelled => anyhow::bail!("job {job} was cancelled"),
	}
}
