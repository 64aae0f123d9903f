//! The provider daemon: follows the chain, runs the jobs it is assigned, commits to their
//! result hashes and reveals them.
//!
//! The chain is the source of truth. On every new best block the daemon asks the runtime for
//! its duties (`JobsApi::duties`) and starts whatever is not already under way, so a missed
//! block, a dropped transaction or a restart is repaired by the next block. The one thing the
//! chain cannot give back, the salt, is kept in the [`Journal`] before any commit is sent.

mod compute;
mod duty;
mod journal;
mod rates;
mod results;
mod schedule;

pub use compute::Device;
pub use journal::{Commitment, Journal};

use crate::blobs::Endpoint;
use crate::chain::{Client, JobId, ProviderInfo, Signer, VersionMismatch};
use anyhow::Context;
use duty::{Failure, Work};
use libp2p::{multiaddr::Protocol, Multiaddr};
use pallet_jobs::Phase;
use pallet_jobs::{Duty, PendingDuty};
use rates::Rates;
pub use results::Retention;
use results::{Results, Verdict};
use schedule::Schedule;
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
	/// How long served outputs are kept, and how much disk they may take.
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
pub async fn run(config: Config) -> anyhow::Result<std::convert::Infallible> {
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
				log(format!("lost the node at {}: {error:#}", config.rpc));
			}
			Err(error) if error.is::<VersionMismatch>() => {
				if !said_mismatch {
					log(format!(
						"{error:#}. No duty can be done until then: asking the node again every \
						 {} s",
						MAX_RECONNECT_DELAY.as_secs()
					));
					said_mismatch = true;
				}
				delay = MAX_RECONNECT_DELAY;
			}
			Err(error) => log(format!("{error:#}")),
		}
		if !said_mismatch {
			log(format!("connecting again in {} s", delay.as_secs()));
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
	prune_results(&results, config.retention);
	// Remote inputs, fetched here and dropped once computed (issue 26 keeps them to serve).
	let inputs = crate::data::Store::open(&config.state_dir.join("inputs"))?;
	prune_inputs(&inputs);
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
					Err(e) => { log(format!("#{}: reading duties failed: {e:#}", head.number)); continue },
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
					prune_results(&work.results, work.config.retention);
					prune_inputs(&work.inputs);
				}
			}
			Some(done) = tasks.join_next() => {
				let ((job, reveal), outcome) = done.context("a duty's task panicked")?;
				under_way.remove(&(job, reveal));
				match outcome {
					Ok(report) => log(format!("job {job}: {report}")),
					// Nothing can be signed until the node runs a runtime this build can sign
					// for: `run` waits for that.
					Err(Failure::Retry(e)) if e.is::<VersionMismatch>() => return Err(e),
					Err(Failure::Retry(e)) => log(format!("job {job}: {e:#} (trying again next block)")),
					Err(Failure::GiveUp(why)) => {
						log(format!("job {job}: not taking part: {why}"));
						given_up.insert(job);
					},
				}
			}
		}
	}
}

/// How often served outputs past their retention are removed: every 100 blocks (5 minutes
/// at 3 s a block), and when the daemon connects.
const PRUNE_EVERY_BLOCKS: u32 = 100;

fn prune_results(results: &Results, retention: Retention) {
	match results.prune(retention, std::time::SystemTime::now()) {
		Ok(0) => {}
		Ok(removed) => log(format!("removed {removed} served outputs past their retention")),
		Err(e) => log(format!("removing outputs past their retention failed: {e}")),
	}
}

/// How long an input's files may go unwritten before they are removed: longer than any
/// commit window (`MaxWindow`, half an hour), so no job can still need them.
const INPUT_MAX_AGE: Duration = Duration::from_secs(3600);

/// Removes the leftovers of input downloads no job needs any more.
fn prune_inputs(inputs: &crate::data::Store) {
	match inputs.prune_older_than(INPUT_MAX_AGE, std::time::SystemTime::now()) {
		Ok(0) => {}
		Ok(removed) => log(format!("removed {removed} files of inputs no job needs")),
		Err(e) => log(format!("removing inputs no job needs failed: {e}")),
	}
}

/// Serves the outputs of jobs attested by block `at`, and drops those of jobs that ended
/// without them (see [`results`]).
async fn publish_attested(work: &Work, at: crate::chain::Hash) {
	let pending = match work.results.pending() {
		Ok(pending) => pending,
		Err(e) => return log(format!("reading the pending results failed: {e}")),
	};
	for (job, hash) in pending {
		let verdict = match work.client.job(job, at).await {
			Ok(None) => Verdict::Ended,
			Ok(Some(info)) => match info.phase {
				Phase::Attested { result_hash } => {
					Verdict::Attested { hash: result_hash.0, requester: info.requester.into() }
				}
				phase if phase.is_open() => Verdict::Open,
				_ => Verdict::Ended,
			},
			Err(e) => {
				log(format!("job {job}: reading its verdict failed: {e:#}"));
				continue;
			}
		};
		if let Err(e) = work.results.settle(job, &hash, verdict) {
			log(format!("job {job}: settling its output failed: {e}"));
		}
	}
}

/// Forgets the salts that no re-org can make necessary again: of jobs whose reveal, or end,
/// is in a finalized block, and of jobs that neither the finalized block nor the best block
/// `best` has (pruned long ago).
async fn forget_final_salts(work: &Work, best: crate::chain::Hash) {
	let jobs = match work.journal.jobs() {
		Ok(jobs) if jobs.is_empty() => return,
		Ok(jobs) => jobs,
		Err(e) => return log(format!("reading the journal failed: {e:#}")),
	};
	let finalized = match work.client.finalized_header().await {
		Ok(header) => header.hash(),
		Err(e) => return log(format!("{e:#}")),
	};
	let me = work.config.signer.account();
	for job in jobs {
		let read = async {
			let at_finality = work.client.job(job, finalized).await?;
			let at_best = match at_finality {
				Some(_) => None,
				None => work.client.job(job, best).await?,
			};
			anyhow::Ok(salt_still_needed(at_finality.as_ref(), at_best.is_some(), me))
		};
		let needed = match read.await {
			Ok(needed) => needed,
			Err(e) => {
				log(format!("job {job}: reading it at the finalized block failed: {e:#}"));
				continue;
			}
		};
		if !needed {
			if let Err(e) = work.journal.remove(job) {
				log(format!("job {job}: forgetting its salt failed: {e:#}"));
			}
		}
	}
}

/// Whether provider `me`'s salt for a job can still be asked for, given the job as the
/// finalized chain has it (`None`: not there) and whether the best chain has it. A job that
/// only the best chain has keeps its salt: its commit may be in a block not yet final.
fn salt_still_needed(
	finalized: Option<&crate::chain::JobInfo>,
	on_best_chain: bool,
	me: &crate::chain::AccountId,
) -> bool {
	let Some(info) = finalized else { return on_best_chain };
	info.phase.is_open()
		&& !info.assignees.iter().any(|a| &a.provider == me && a.revealed.is_some())
}

/// Starts serving computed results over libp2p and HTTP, on `--listen` and `--http` or else
/// the addresses in the provider's registered endpoint. Says why not if it cannot (the
/// provider still computes, commits and reveals); returns whether serving is settled, `false`
/// while an unregistered provider has no endpoint yet.
fn serve_results(config: &Config, record: Option<&ProviderInfo>) -> bool {
	let registered = match record {
		None if config.listen.is_none() && config.http.is_none() => return false,
		None => Endpoint::default(),
		Some(info) => {
			let text = String::from_utf8_lossy(&info.endpoint);
			Endpoint::parse(&text).unwrap_or_else(|e| {
				log(format!("the registered endpoint {text:?} is not served: {e:#}"));
				Endpoint::default()
			})
		}
	};
	let results_dir = config.state_dir.join("results");
	if let Some(address) = config.http.or(registered.http) {
		let dir = results_dir.clone();
		tokio::spawn(async move {
			if let Err(e) = crate::blobs::serve_http(address, dir, log).await {
				log(format!("results are not served to browsers: {e:#}"));
			}
		});
	}
	let Some(mut address) = config.listen.clone().or(registered.p2p) else {
		log("the endpoint has no libp2p address: results are not served over libp2p".into());
		return true;
	};
	if matches!(address.iter().last(), Some(Protocol::P2p(_))) {
		address.pop();
	}
	let identity = match crate::blobs::load_or_create_identity(&config.state_dir) {
		Ok(identity) => identity,
		Err(e) => {
			log(format!("results are not served: {e:#}"));
			return true;
		}
	};
	tokio::spawn(async move {
		if let Err(e) = crate::blobs::serve(address, identity, results_dir, log).await {
			log(format!("results are not served: {e:#}"));
		}
	});
	true
}

/// Says who the daemon runs as and whether the chain lists it as a provider; returns its
/// provider record.
async fn announce(client: &Client, config: &Config) -> anyhow::Result<Option<ProviderInfo>> {
	let account = config.signer.account();
	let head = client.best_header().await?;
	log(format!("provider {account} on {}, computing on {}", config.rpc, config.device.describe()));
	let record = client.provider(account, head.hash()).await?;
	match &record {
		Some(info) => log(format!(
			"registered: {}, price {} per work unit, stake {}, {} jobs in progress",
			crate::chain::names::name(&info.status),
			info.price_per_work_unit,
			info.stake,
			info.active_jobs
		)),
		None => log(format!(
			"{account} is not a registered provider: no job will be assigned until it registers \
			 (providers.register)"
		)),
	}
	Ok(record)
}

/// The daemon's log target: `concord-node -l concord-provider=debug`, or
/// `RUST_LOG=concord-provider=debug concord worker run ...`.
const LOG_TARGET: &str = "concord-provider";

fn log(line: String) {
	log::info!(target: LOG_TARGET, "{line}");
}
