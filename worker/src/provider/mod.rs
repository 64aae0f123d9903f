//! The provider daemon: follows the chain, runs the jobs it is assigned, commits to their
//! result hashes and reveals them.
//!
//! The chain is the source of truth. On every new best block the daemon asks the runtime for
//! its duties (`JobsApi::duties`) and starts whatever is not already under way, so a missed
//! block, a dropped transaction or a restart is repaired by the next block. The one thing the
//! chain cannot give back, the salt, is kept in the [`Journal`] before any commit is sent.

mod cleanup;
mod compute;
mod duty;
mod inputs;
mod journal;
mod options;
mod rates;
mod results;
mod retention;
mod schedule;
mod serving;

pub use compute::Device;
pub use journal::{Commitment, Journal};

use crate::chain::{Client, JobId, ProviderInfo, Signer, VersionMismatch};
use anyhow::Context;
use cleanup::{forget_final_salts, prune_kept, prune_unfinished_inputs, PRUNE_EVERY_BLOCKS};
use duty::{Failure, Work};
use libp2p::Multiaddr;
pub use options::ProviderOptions;
use pallet_jobs::{Duty, PendingDuty};
use rates::Rates;
use results::Results;
pub use retention::Retention;
use schedule::Schedule;
use serving::{publish_attested, serve_results};
use std::{collections::HashSet, path::PathBuf, sync::Arc, time::Duration};
use tokio::task::JoinSet;

/// What a provider daemon needs.
pub struct Config {
	/// The node's WebSocket JSON-RPC address.
	pub rpc: String,
	pub signer: Signer,
	/// Where commitments and results are kept across restarts.
	pub state_dir: PathBuf,
	pub device: Device,
	/// Where to serve results over libp2p; `None`: the endpoint the provider registered.
	pub listen: Option<Multiaddr>,
	/// Where to serve results over HTTP; `None`: the endpoint the provider registered.
	pub http: Option<std::net::SocketAddr>,
	/// How long served outputs and kept inputs are kept, and how much disk they may take.
	pub retention: Retention,
}

/// Longest wait between attempts to reach the node.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(30);

/// Runs the daemon for good. When the node is unreachable, or goes away, the daemon says so
/// and connects again (waiting 1, 2, 4 … up to 30 seconds between attempts); its journal
/// carries what it committed across the gap. A runtime upgrade that keeps the transaction
/// format changes nothing (transactions are signed with the node's current version); one that
/// changes it leaves the daemon unable to sign anything, so it says so and keeps asking the
/// node, without exiting, until the node runs a runtime it can sign for again.
pub async fn run(mut config: Config) -> anyhow::Result<std::convert::Infallible> {
	let raised;
	(config.retention, raised) = config.retention.at_least_the_chains();
	if raised {
		log::warn!(target: LOG_TARGET,
			"keeping outputs and inputs for {} hours, the chain's DataRetention, not less: \
			 requesters and other providers count on it",
			config.retention.keep.as_secs() / 3600
		);
	}
	let config = Arc::new(config);
	// The device outlives a connection: a job computing when the node went away still holds it.
	let (schedule, rates) = (Arc::new(Schedule::default()), Arc::new(Rates::default()));
	let mut delay = Duration::from_secs(1);
	let mut serving = false;
	let mut said_mismatch = false;
	loop {
		match Client::connect(&config.rpc).await {
			Ok(client) => {
				delay = Duration::from_secs(1);
				said_mismatch = false;
				let error = match announce(&client, &config).await {
					Ok(record) => {
						if !serving {
							serving = serve_results(&config, record.as_ref());
						}
						serve(client, config.clone(), schedule.clone(), rates.clone())
							.await
							.unwrap_err()
					}
					Err(error) => error,
				};
				log::warn!(target: LOG_TARGET, "lost the node at {}: {error:#}", config.rpc);
			}
			Err(error) if error.is::<VersionMismatch>() => {
				if !said_mismatch {
					log::error!(target: LOG_TARGET,
						"{error:#}. No duty can be done until then: asking the node again every \
						 {} s",
						MAX_RECONNECT_DELAY.as_secs()
					);
					said_mismatch = true;
				}
				delay = MAX_RECONNECT_DELAY;
			}
			Err(error) => log::warn!(target: LOG_TARGET, "{error:#}"),
		}
		if !said_mismatch {
			log::info!(target: LOG_TARGET, "connecting again in {} s", delay.as_secs());
		}
		tokio::time::sleep(delay).await;
		delay = (delay * 2).min(MAX_RECONNECT_DELAY);
	}
}

/// Does the provider's duties through one connection, until it fails.
async fn serve(
	client: Client,
	config: Arc<Config>,
	schedule: Arc<Schedule>,
	rates: Arc<Rates>,
) -> anyhow::Result<std::convert::Infallible> {
	let journal = Journal::open(&config.state_dir, client.genesis())?;
	let me = config.signer.account().clone();

	let results = Results::new(&config.state_dir);
	let outputs = results::served(&config.state_dir)?;
	let inputs = inputs::kept_inputs(&config.state_dir)?;
	prune_kept(&outputs, &inputs, config.retention);
	prune_unfinished_inputs(&inputs);
	let work = Arc::new(Work { client, config, journal, results, inputs, schedule, rates });
	let mut heads = work.client.best_heads().await?;
	// Duties being worked on, and jobs this provider cannot do (it says why once).
	let mut under_way: HashSet<(JobId, bool)> = HashSet::new();
	let mut given_up: HashSet<JobId> = HashSet::new();
	let mut tasks: JoinSet<((JobId, bool), Result<String, Failure>)> = JoinSet::new();
	loop {
		tokio::select! {
			head = heads.next() => {
				let Some(head) = head else { anyhow::bail!("the node closed the block subscription") };
				let head = head.context("reading a new block")?;
				let seen = std::time::Instant::now();
				let at = head.hash();
				let duties = match work.client.duties(&me, at).await {
					Ok(duties) => duties,
					Err(e) => { log::warn!(target: LOG_TARGET, "#{}: reading duties failed: {e:#}", head.number); continue },
				};
				log::debug!(target: LOG_TARGET, "#{}: {} duties to do", head.number, duties.len());
				for PendingDuty { job, duty } in duties {
					let key = (job, matches!(duty, Duty::Reveal { .. }));
					if given_up.contains(&job) || !under_way.insert(key) {
						continue;
					}
					let work = work.clone();
					let head = (head.number, seen);
					tasks.spawn(async move { (key, work.perform(job, duty, at, head).await) });
				}
				publish_attested(&work, at).await;
				forget_final_salts(&work, at).await;
				if head.number % PRUNE_EVERY_BLOCKS == 0 {
					prune_kept(&outputs, &work.inputs, work.config.retention);
					prune_unfinished_inputs(&work.inputs);
				}
			}
			Some(done) = tasks.join_next() => {
				let ((job, reveal), outcome) = done.context("a duty's task panicked")?;
				under_way.remove(&(job, reveal));
				match outcome {
					Ok(report) => log::info!(target: LOG_TARGET, "job {job}: {report}"),
					// Nothing can be signed until the node runs a runtime this build can sign
					// for: `run` waits for that.
					Err(Failure::Retry(e)) if e.is::<VersionMismatch>() => return Err(e),
					Err(Failure::Retry(e)) => log::warn!(target: LOG_TARGET, "job {job}: {e:#} (trying again next block)"),
					Err(Failure::GiveUp(why)) => {
						log::warn!(target: LOG_TARGET, "job {job}: not taking part: {why}");
						given_up.insert(job);
					},
				}
			}
		}
	}
}

/// Says who the daemon runs as and whether the chain lists it as a provider; returns its
/// provider record.
async fn announce(client: &Client, config: &Config) -> anyhow::Result<Option<ProviderInfo>> {
	let account = config.signer.account();
	let head = client.best_header().await?;
	log::info!(target: LOG_TARGET, "provider {account} on {}, computing on {}", config.rpc, config.device.describe());
	let record = client.provider(account, head.hash()).await?;
	match &record {
		Some(info) => log::info!(target: LOG_TARGET,
			"registered: {}, price {} per work unit, stake {}, {} jobs in progress",
			crate::chain::names::name(&info.status),
			info.price_per_work_unit,
			info.stake,
			info.active_jobs
		),
		None => log::info!(target: LOG_TARGET,
			"{account} is not a registered provider: no job will be assigned until it registers \
			 (providers.register)"
		),
	}
	Ok(record)
}

/// The daemon's log target: `concord-node -l concord-provider=debug`, or
/// `RUST_LOG=concord-provider=debug concord worker run ...`.
const LOG_TARGET: &str = "concord-provider";
