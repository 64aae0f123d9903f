//! What a requester does: price, submit and follow jobs.

use crate::{
	chain::{names, Balance, BlockNumber, Client, JobId, JobInfo, Refusal, RuntimeEvent, Signer},
	data::{self, BlobRef, Fetched, Limits, Store},
};
use anyhow::{anyhow, bail};
use concord_primitives::kernel::KernelId;
use frame_support::traits::Get;
use pallet_jobs::{InputSpec, NoAssignment, Phase};
use sp_core::H256;

/// A job to submit.
pub struct JobRequest {
	pub kernel: KernelId,
	pub params: Vec<u32>,
	/// Inline (on chain, up to [`inline_bound`] bytes), or remote: the BLAKE3 root and size of
	/// a blob the requester serves (larger inputs only).
	pub input: InputSpec,
	pub replicas: u32,
	pub quorum: u32,
	/// Per replica.
	pub reward: Reward,
	/// `None` asks for the longer of 20 blocks and the shortest the job's work allows.
	pub commit_window: Option<BlockNumber>,
	pub reveal_window: BlockNumber,
}

/// What a job offers each replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reward {
	/// The smallest reward at which the chain's draw has its full pool when the job is
	/// included.
	Market,
	/// This reward, raised to the market's only if the chain refused it: the shards of one
	/// workload, priced together, offer one reward. (Priced one by one, each later shard
	/// would find the earlier ones in the providers' slots, which the quote leaves out.)
	AtLeast(Balance),
	/// This reward, refused by the chain if too few providers accept it.
	Exactly(Balance),
}

/// How many times a job offering a quoted reward is priced and sent. Each job that ends
/// moves the market (a deviant's weight falls, a provider slashed under the minimum stake
/// leaves), so the reward quoted at one block may be too low by the block that includes the
/// job: the chain refuses it with `RewardTooLow`, having done nothing but take the fee, and
/// once that block is final the job is priced and sent again.
pub const MARKET_TRIES: u32 = 3;

/// The commit window `concord job submit` asks for when none is given, unless the job's work
/// needs longer.
pub const DEFAULT_COMMIT_WINDOW: BlockNumber = 20;

/// The reveal window `concord job submit` asks for when none is given.
pub const DEFAULT_REVEAL_WINDOW: BlockNumber = 10;

/// The most input bytes the chain carries inline; a larger input is sent remote.
pub fn inline_bound() -> u64 {
	let bound: u32 = <concord_runtime::Runtime as pallet_jobs::Config>::MaxInlineInput::get();
	u64::from(bound)
}

/// The most jobs one requester may have open at once: a workload run as separate jobs
/// (`concord model run`) has at most this many shards.
pub fn max_open_jobs_per_requester() -> u32 {
	<concord_runtime::Runtime as pallet_jobs::Config>::MaxOpenJobsPerRequester::get()
}

/// A submitted job.
pub struct Submitted {
	pub job: JobId,
	pub reward: Balance,
	/// Held from the requester until the job ends: rewards for the replicas and for every
	/// escalation it may need (refunded when unused), plus the deposit.
	pub escrow: Balance,
	/// Providers the draw chose among when the job was priced, and the pool it needs.
	pub pool: u32,
	pub pool_needed: u32,
	/// That pool's share of the weight of every provider that could take the job but for
	/// price and free slots, and the bounds on coalitions' chances of a quorum (see
	/// `pallet_jobs::Quote`).
	pub pool_share: sp_runtime::Perbill,
	pub capture: Vec<pallet_jobs::Capture>,
	pub commit_window: BlockNumber,
}

/// Submits `request` as `signer`. Asks the chain for a quote first: offers the least reward
/// at which the draw has its full pool unless the request fixes one, and fails with the
/// chain's reason if no reward would do now; without a commit window, asks for one the job's
/// work fits in. A market reward the market outran before inclusion is priced again, up to
/// [`MARKET_TRIES`] times.
pub async fn submit(
	client: &Client,
	signer: &Signer,
	request: JobRequest,
) -> anyhow::Result<Submitted> {
	if let InputSpec::Inline(bytes) = &request.input {
		if bytes.len() as u64 > inline_bound() {
			bail!(
				"the input is {} bytes, and the chain carries at most {} bytes of input inline; \
				 serve larger ones (a remote input)",
				bytes.len(),
				inline_bound()
			);
		}
	}
	let tries = match request.reward {
		Reward::Exactly(_) => 1,
		Reward::Market | Reward::AtLeast(_) => MARKET_TRIES,
	};
	priced_again_while_outrun(
		tries,
		async |tried| submit_once(client, signer, &request, tried == 1).await,
		async |block| client.finality_of(block).await,
	)
	.await
}

/// Calls `attempt` with its try's number, from 1, until it does anything but fail with the
/// chain's `RewardTooLow`, at most `tries` times. Before each new attempt the refusing block must be final (`is_final` says
/// so, or fails): were a re-org to drop it, the refused transaction could be included again,
/// and succeed, beside the new one.
async fn priced_again_while_outrun<T>(
	tries: u32,
	mut attempt: impl AsyncFnMut(u32) -> anyhow::Result<T>,
	mut is_final: impl AsyncFnMut(H256) -> anyhow::Result<bool>,
) -> anyhow::Result<T> {
	let outrun = pallet_jobs::Error::<concord_runtime::Runtime>::RewardTooLow.into();
	let mut tried = 0;
	loop {
		tried += 1;
		let e = match attempt(tried).await {
			Err(e) if tried < tries => e,
			done => return done,
		};
		let refused_in = match e.downcast_ref::<Refusal>() {
			Some(refusal) if refusal.is(outrun) => refusal.block,
			_ => return Err(e),
		};
		let Some(block) = refused_in else { return Err(e) };
		match is_final(block).await {
			Ok(true) => {
				log::info!("the market moved before the job was included: pricing it again")
			}
			Ok(false) => {
				return Err(e.context(format!(
					"block {block:?}, which refused the job, left the chain: the job may yet be \
					 included (`concord job list`)"
				)))
			}
			Err(why) => return Err(e.context(format!("not priced again: {why:#}"))),
		}
	}
}

/// The chain's quote for a job of `kernel` with `params`, `replicas` and `quorum` at block
/// `at`, or why it cannot price one.
pub async fn quote(
	client: &Client,
	kernel: KernelId,
	params: &[u32],
	replicas: u32,
	quorum: u32,
	at: H256,
) -> anyhow::Result<pallet_jobs::Quote<Balance>> {
	client
		.quote(kernel, params.to_vec(), replicas, quorum, at)
		.await?
		.map_err(|e| anyhow!("the chain cannot price this job: {}", names::described(&e)))
}

/// The least reward at which `quote`'s draw has its full pool, or why no reward would do.
pub fn market_reward(quote: &pallet_jobs::Quote<Balance>) -> anyhow::Result<Balance> {
	quote.min_reward.clone().map_err(|why| {
		anyhow!(
			"no reward would give the draw a pool of {} providers now: {}",
			quote.pool_needed,
			crate::report::no_assignment(&why)
		)
	})
}

/// Prices `request` at the best block and sends it once; `first` says whether this is the
/// first time.
async fn submit_once(
	client: &Client,
	signer: &Signer,
	request: &JobRequest,
	first: bool,
) -> anyhow::Result<Submitted> {
	let at = client.best_header().await?.hash();
	let quote =
		self::quote(client, request.kernel, &request.params, request.replicas, request.quorum, at)
			.await?;
	let reward = match request.reward {
		Reward::Exactly(reward) => reward,
		Reward::AtLeast(floor) if first => floor,
		Reward::AtLeast(floor) => floor.max(market_reward(&quote).unwrap_or(floor)),
		Reward::Market => market_reward(&quote)?,
	};
	let commit_window =
		request.commit_window.unwrap_or_else(|| DEFAULT_COMMIT_WINDOW.max(quote.min_commit_window));
	let call = concord_runtime::RuntimeCall::Jobs(pallet_jobs::Call::submit {
		kernel: request.kernel,
		params: request.params.clone(),
		input: request.input.clone(),
		replicas: request.replicas,
		quorum: request.quorum,
		reward,
		commit_window,
		reveal_window: request.reveal_window,
	});
	let included = client.submit(signer, call).await?;
	included
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Jobs(pallet_jobs::Event::Submitted { job, escrow, .. }) => {
				Some(Submitted {
					job: *job,
					reward,
					escrow: *escrow,
					pool: quote.pool,
					pool_needed: quote.pool_needed,
					pool_share: quote.pool_share,
					capture: quote.capture.clone(),
					commit_window,
				})
			}
			_ => None,
		})
		.ok_or_else(|| anyhow!("the submission was included but emitted no Submitted event"))
}

/// How a job ended.
pub enum Ending {
	Attested(H256),
	Failed(pallet_jobs::FailReason<Balance>),
	Cancelled,
}

impl Ending {
	/// The result job `job` ended with, or, if it ended without one, where it stands.
	pub fn attested(self, job: JobId) -> Result<H256, NoResult> {
		let phase = match self {
			Ending::Attested(result_hash) => return Ok(result_hash),
			Ending::Failed(reason) => Phase::Failed { reason },
			Ending::Cancelled => Phase::Cancelled,
		};
		Err(NoResult { job, phase: crate::report::phase(&phase) })
	}
}

/// Follows job `id` block by block until it ends, calling `progress` at each new best block
/// with the job and, while it waits for providers (or failed for want of them), why none
/// takes it; stops early with `None` at the first block where `enough(job, block)` holds
/// while the job is still open (say [`Holders::quorum_holds`]; `|_, _| false` follows it to
/// its end).
pub async fn follow(
	client: &Client,
	id: JobId,
	mut progress: impl FnMut(BlockNumber, &JobInfo, Option<&NoAssignment<Balance>>),
	mut enough: impl AsyncFnMut(&JobInfo, sp_core::H256) -> bool,
) -> anyhow::Result<Option<Ending>> {
	let mut heads = client.best_heads().await?;
	while let Some(head) = heads.next().await {
		let head = head?;
		let job = client.existing_job(id, head.hash()).await?;
		let why = why_unassigned(client, id, &job, head.hash()).await?;
		progress(head.number, &job, why.as_ref());
		match job.phase {
			Phase::Attested { result_hash } => return Ok(Some(Ending::Attested(result_hash))),
			Phase::Failed { reason } => return Ok(Some(Ending::Failed(reason))),
			Phase::Cancelled => return Ok(Some(Ending::Cancelled)),
			_ if enough(&job, head.hash()).await => return Ok(None),
			_ => {}
		}
	}
	bail!("the node closed the block subscription")
}

/// Which committed assignees of a job hold its remote input, as far as its requester can
/// tell. A commitment alone proves nothing (a Sybil can commit to anything without the
/// input), so each is asked for random pieces ([`data::probe`]), which must prove themselves
/// against the root, from the address its registered endpoint names: what the job's other
/// assignees will ask it for.
pub struct Holders {
	blob: BlobRef,
	/// Where the probes' pieces go, each in a directory of its own, removed after.
	scratch: std::path::PathBuf,
	/// Those that passed a probe (one that failed is asked again at the next block: its
	/// server may not have been up yet).
	holding: std::collections::HashSet<crate::chain::AccountId>,
}

/// How long a probed provider may take over a piece: a holder answers at once, and the
/// requester's following of its job waits on the slowest probe of a block.
const PROBE_STALL: std::time::Duration = std::time::Duration::from_secs(5);

impl Holders {
	pub fn new(blob: BlobRef, scratch: std::path::PathBuf) -> Holders {
		Holders { blob, scratch, holding: Default::default() }
	}

	/// Whether, in `job`'s current round at block `at`, at least the round's quorum of
	/// assignees have committed and hold the input. Then the requester's copy is needed no
	/// longer: the round's other assignees, and any escalation's panel, fetch it from them.
	pub async fn quorum_holds(
		&mut self,
		client: &Client,
		job: &JobInfo,
		at: sp_core::H256,
	) -> bool {
		let quorum = job.spec.shape_of_round(job.round).quorum as usize;
		let committed: Vec<_> = job
			.assignees
			.iter()
			.filter(|a| a.round == job.round && a.commitment.is_some())
			.map(|a| a.provider.clone())
			.collect();
		if committed.len() < quorum {
			return false;
		}
		let (blob, scratch) = (self.blob, &self.scratch);
		let unknown: Vec<_> = committed.iter().filter(|who| !self.holding.contains(*who)).collect();
		let probes = unknown.into_iter().enumerate().map(|(n, who)| async move {
			let address = crate::blobs::data_address(client, who, at).await.ok()?;
			let scratch = scratch.join(format!("probe-{n}"));
			let limits = Limits { stall: PROBE_STALL, ..Limits::default() };
			match data::probe(blob, &address, &scratch, limits).await {
				Ok(()) => Some(who.clone()),
				Err(e) => {
					log::debug!("{who} does not hold the input {blob}: {e}");
					None
				}
			}
		});
		let found: Vec<_> = futures::future::join_all(probes).await;
		self.holding.extend(found.into_iter().flatten());
		committed.iter().filter(|who| self.holding.contains(*who)).count() >= quorum
	}
}

/// Why no provider takes job `id`, while it waits for some or after it failed for want of
/// them; `None` otherwise.
pub async fn why_unassigned(
	client: &Client,
	id: JobId,
	job: &JobInfo,
	at: sp_core::H256,
) -> anyhow::Result<Option<NoAssignment<Balance>>> {
	if matches!(job.phase, Phase::Queued { .. } | Phase::Failed { .. }) {
		client.why_unassigned(id, at).await
	} else {
		Ok(None)
	}
}

/// A job that has no attested result, and will not have one (it failed, or was cancelled),
/// or has none yet: where it stands, in words.
#[derive(Debug, thiserror::Error)]
#[error("job {job} has no attested result: {phase}")]
pub struct NoResult {
	pub job: JobId,
	pub phase: String,
}

/// Blocks `fetch_result` waits for a provider to serve an attested output.
const FETCH_RETRY_BLOCKS: usize = 3;

/// Job `id` at the best block, which is returned too, and its attested result hash; an error
/// if the job has none.
pub async fn attested(
	client: &Client,
	id: JobId,
) -> anyhow::Result<(sp_core::H256, JobInfo, H256)> {
	let at = client.best_header().await?.hash();
	let job = client.existing_job(id, at).await?;
	let Phase::Attested { result_hash } = job.phase else {
		return Err(NoResult { job: id, phase: crate::report::phase(&job.phase) }.into());
	};
	Ok((at, job, result_hash))
}

/// Who reads an output: the job's requester with its key, or anyone with a grant the
/// requester signed.
pub enum Reader<'a> {
	Requester(&'a crate::chain::Signer),
	Holder(crate::data::Grant),
}

/// An attested output, fetched.
pub struct FetchedResult {
	pub result_hash: H256,
	/// The output as a blob: its BLAKE3 root is the result hash, its size what the job's
	/// params make it.
	pub blob: BlobRef,
	/// Where its bytes are, and where they came from.
	pub fetched: Fetched,
}

/// The attested output of job `id`, fetched into `store` over the data plane from every
/// provider that revealed it, all at once, each piece checked against the attested hash (the
/// output's BLAKE3 root) before it is written; a provider that sends a bad piece is dropped
/// and named. Providers serve it only to the job's requester, so `reader` must be that
/// account's key or a grant it signed for this output.
pub async fn fetch_result(
	client: &Client,
	id: JobId,
	reader: &Reader<'_>,
	store: &Store,
) -> anyhow::Result<FetchedResult> {
	let (at, job, result_hash) = attested(client, id).await?;
	let grant = match reader {
		Reader::Requester(signer) => signer.grant(&result_hash.0),
		Reader::Holder(grant) => grant.clone(),
	};
	if grant.account() != job.requester {
		bail!(
			"job {id} was requested by {}, and its providers serve the output only to it or to \
			 whoever holds a grant it signed (`concord job grant`); this is {}'s",
			job.requester,
			grant.account()
		);
	}
	if !grant.permits(&result_hash.0) {
		bail!("the grant is not {}'s signature for job {id}'s output", job.requester);
	}
	let size = concord_primitives::kernel::output_len(job.spec.kernel, &job.spec.params)
		.map_err(|e| anyhow!("job {id}'s params name no output size: {e:?}"))?;
	let blob = BlobRef { root: result_hash.0, size };
	let mut sources = Vec::new();
	let mut unserved = Vec::new();
	for assignee in job.assignees.iter().filter(|a| a.revealed == Some(result_hash)) {
		match crate::blobs::data_address(client, &assignee.provider, at).await {
			Ok(address) => sources.push(address),
			Err(e) => unserved.push(format!("{e:#}")),
		}
	}
	if sources.is_empty() {
		bail!(
			"no provider that computed job {id}'s result names a libp2p address to fetch it \
			 from:\n  {}",
			unserved.join("\n  ")
		);
	}
	// Providers serve an output once they have seen its job attested, so right after the
	// verdict none may serve it yet: ask again at each of the next few blocks (what was
	// verified meanwhile is kept).
	let mut heads = client.best_heads().await?;
	let mut attempt = 0;
	loop {
		let fetching = data::fetch_granted(blob, &sources, store, Limits::default(), grant.clone());
		match fetching.await {
			Ok(fetched) => return Ok(FetchedResult { result_hash, blob, fetched }),
			Err(e) if attempt < FETCH_RETRY_BLOCKS => {
				log::debug!("fetching job {id}'s output: {e}; again at the next block");
				attempt += 1;
				if heads.next().await.is_none() {
					return Err(e.into());
				}
			}
			Err(e) => {
				return Err(anyhow::Error::new(e)
					.context(format!("no provider that computed job {id}'s result served it")))
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use concord_runtime::Runtime;

	const BLOCK: H256 = H256([7; 32]);

	fn refused(error: pallet_jobs::Error<Runtime>) -> anyhow::Error {
		anyhow::Error::new(Refusal::of(error.into()).in_block(BLOCK)).context("submitting the job")
	}

	fn outrun() -> anyhow::Result<u32> {
		Err(refused(pallet_jobs::Error::RewardTooLow))
	}

	/// What the policy returned over `results` (one per attempt), how many attempts it made and
	/// how many times it asked whether the refusing block was final, answered by `finality`.
	fn outcome(
		tries: u32,
		results: Vec<anyhow::Result<u32>>,
		finality: fn() -> anyhow::Result<bool>,
	) -> (Result<u32, String>, usize, usize) {
		let mut results = results.into_iter();
		let (mut made, mut asked) = (0, 0);
		let done = futures::executor::block_on(priced_again_while_outrun(
			tries,
			async |tried| {
				made += 1;
				assert_eq!(tried as usize, made, "tries are numbered from 1");
				results.next().expect("an attempt past the last planned")
			},
			async |block| {
				assert_eq!(block, BLOCK, "asked of the block that refused the job");
				asked += 1;
				finality()
			},
		));
		(done.map_err(|e| format!("{e:#}")), made, asked)
	}

	fn finalized() -> anyhow::Result<bool> {
		Ok(true)
	}

	#[test]
	fn a_reward_the_market_outran_is_priced_again_once_its_refusal_is_final() {
		assert_eq!(
			outcome(MARKET_TRIES, vec![outrun(), outrun(), Ok(7)], finalized),
			(Ok(7), 3, 2)
		);
		assert_eq!(outcome(MARKET_TRIES, vec![outrun(), Ok(7)], finalized), (Ok(7), 2, 1));
	}

	#[test]
	fn a_refusal_a_re_org_dropped_or_not_yet_final_is_not_priced_again() {
		// The refused transaction could be included again beside a new one: two jobs.
		let (done, made, _) = outcome(MARKET_TRIES, vec![outrun()], || Ok(false));
		assert_eq!(made, 1);
		assert!(done.unwrap_err().contains("left the chain"));
		let (done, made, _) = outcome(MARKET_TRIES, vec![outrun()], || Err(anyhow!("stalled")));
		assert_eq!(made, 1);
		assert!(done.unwrap_err().contains("RewardTooLow"));
		// A refusal read from no block cannot be waited on.
		let unplaced = Refusal::of(pallet_jobs::Error::<Runtime>::RewardTooLow.into());
		assert_eq!(outcome(MARKET_TRIES, vec![Err(unplaced.into())], finalized).1, 1);
	}

	#[test]
	fn pricing_again_stops_at_its_tries_and_at_any_other_refusal() {
		let (done, made, _) = outcome(MARKET_TRIES, vec![outrun(), outrun(), outrun()], finalized);
		assert_eq!(made, 3);
		assert!(done.unwrap_err().contains("RewardTooLow"));
		// A fixed reward is the requester's own: it is sent once.
		let (done, made, _) = outcome(1, vec![outrun()], finalized);
		assert_eq!(made, 1);
		assert!(done.unwrap_err().contains("RewardTooLow"));
		// Another refusal is no moved market.
		let other = Err(refused(pallet_jobs::Error::QuorumAboveReplicas));
		let (done, made, _) = outcome(MARKET_TRIES, vec![other], finalized);
		assert_eq!(made, 1);
		assert!(done.unwrap_err().contains("QuorumAboveReplicas"));
		let unrelated = Err(anyhow!("the node closed the connection"));
		assert_eq!(outcome(MARKET_TRIES, vec![unrelated], finalized).1, 1);
	}
}
