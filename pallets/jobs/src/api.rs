//! What clients read: the runtime API (called with `state_call`, described in the metadata so
//! that @polkadot/api and Polkadot.js Apps reach it without custom definitions), and the
//! pallet functions that implement it.
//!
//! A job's inline input is read from storage (`JobInputs`, `api.query.jobs.jobInputs(id)`), not
//! through the API: @polkadot/api returns an `Option<Vec<u8>>` result of a runtime call still
//! encoded, so the bytes would reach Apps users wrong.

use crate::{
	assign::{Market, Round},
	pallet::*,
	types::*,
};
use alloc::vec::Vec;
use codec::Codec;
use concord_primitives::{
	kernel::{self, KernelId},
	market::{admission, verdict},
	workload::{byte_proof, ByteProof},
};
use frame_support::traits::Get;
use sp_runtime::{
	traits::{Bounded, CheckedAdd, SaturatedConversion},
	Perbill,
};

sp_api::decl_runtime_apis! {
	/// Jobs, what providers owe them, and prices. Version 2: `quote` takes the quorum and
	/// says the pool's share of the live weight and the coalitions' capture bounds. Version 3:
	/// a job's spec holds the panel that judges it, and a job may fail `Contested`. Version 4:
	/// the quote gives `max_commit_window`, and its deposits hold the retry fees. Version 5:
	/// remote inputs are taken (the quote's window counts their transfer), and a job may fail
	/// `InputUnavailable`. Version 6: `verify_output_bytes`.
	#[api_version(6)]
	pub trait JobsApi<AccountId, Balance, BlockNumber, Job>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
		Job: Codec,
	{
		/// A job and its phase (for ended jobs, until they are pruned).
		fn job(id: JobId) -> Option<Job>;
		/// The open jobs, oldest first.
		fn open_jobs() -> Vec<JobId>;
		/// The jobs assigned to `provider` that still need its commit or reveal, with the last
		/// block to do it.
		fn duties(provider: AccountId) -> Vec<PendingDuty<BlockNumber>>;
		/// Why no provider takes job `id` now, if it is waiting for providers (or failed for
		/// lack of them).
		fn why_unassigned(id: JobId) -> Option<NoAssignment<Balance>>;
		/// What a job of `kernel` with `params` and `replicas` would cost now (for a requester
		/// with no other job open: each open job adds a `JobDeposit` to the next one's deposit),
		/// and how safe its result would be from coalitions, for `quorum`.
		fn quote(kernel: KernelId, params: Vec<u32>, replicas: u32, quorum: u32) -> Result<Quote<Balance>, QuoteError>;
		/// Whether `proof` shows bytes of the output of the workload `kernel` with `params`
		/// split into `shards`, whose aggregate root is `root`: the offset of the proven chunk
		/// in the whole output and its length (the bytes are the proof's), or `None`. What a
		/// client that cannot run the Rust verifier (the dashboard) asks a node.
		#[api_version(6)]
		fn verify_output_bytes(root: [u8; 32], kernel: KernelId, params: Vec<u32>, shards: u32, proof: ByteProof) -> Option<(u64, u32)>;
	}
}

impl<T: Config> Pallet<T> {
	pub fn job(id: JobId) -> Option<JobInfoOf<T>> {
		Jobs::<T>::get(id)
	}

	pub fn job_input(id: JobId) -> Option<Vec<u8>> {
		JobInputs::<T>::get(id).map(|bytes| bytes.into_inner())
	}

	pub fn open_jobs() -> Vec<JobId> {
		let mut open: Vec<JobId> = OpenJobs::<T>::iter_keys().collect();
		open.sort_unstable();
		open
	}

	/// A duty whose window has closed is not listed, even before the agenda (which may run a
	/// few blocks late under load) has moved the job on.
	pub fn duties(
		provider: T::AccountId,
	) -> Vec<PendingDuty<frame_system::pallet_prelude::BlockNumberFor<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut duties = Vec::new();
		for id in Self::open_jobs() {
			let Some(job) = Jobs::<T>::get(id) else { continue };
			if let Some(duty) = Self::duty_of(&job, &provider, now) {
				duties.push(PendingDuty { job: id, duty });
			}
		}
		duties
	}

	/// What `provider` owes `job` at block `now`: a commit or a reveal in an open window of
	/// the job's current round, or nothing.
	pub fn duty_of(
		job: &JobInfoOf<T>,
		provider: &T::AccountId,
		now: frame_system::pallet_prelude::BlockNumberFor<T>,
	) -> Option<Duty<frame_system::pallet_prelude::BlockNumberFor<T>>> {
		let index = job.assignees.iter().position(|a| a.provider == *provider)?;
		if let Ok(until) = Self::commit_duty(job, index, now) {
			return Some(Duty::Commit { until });
		}
		let (until, _) = Self::reveal_duty(job, index, now).ok()?;
		Some(Duty::Reveal { until })
	}

	pub fn why_unassigned(id: JobId) -> Option<NoAssignmentOf<T>> {
		let job = Jobs::<T>::get(id)?;
		match job.phase {
			Phase::Queued { .. } => Self::check_assignable(&Self::round_of(&job)).err(),
			// A declined seat waiting for a replacement that the last draw could not find.
			Phase::Committing { .. } => job.unassigned,
			Phase::Failed { reason: FailReason::Unassigned(reason) } => Some(reason),
			_ => None,
		}
	}

	/// See `JobsApi::verify_output_bytes`. Pure: the proof is checked by the one verifier in
	/// `concord_primitives`, which never panics on what a caller sends.
	pub fn verify_output_bytes(
		root: [u8; 32],
		kernel: KernelId,
		params: Vec<u32>,
		shards: u32,
		proof: ByteProof,
	) -> Option<(u64, u32)> {
		let proven = byte_proof::verify(&root, kernel, &params, shards, &proof).ok()?;
		Some((proven.offset, u32::try_from(proven.bytes.len()).ok()?))
	}

	pub fn quote(
		kernel: KernelId,
		params: Vec<u32>,
		replicas: u32,
		quorum: u32,
	) -> Result<Quote<BalanceOf<T>>, QuoteError> {
		let shape =
			kernel::validate_params(kernel, &params).map_err(|_| QuoteError::InvalidParams)?;
		if replicas == 0 || replicas > T::MaxReplicas::get() {
			return Err(QuoteError::InvalidReplicas);
		}
		if quorum > replicas || !verdict::is_majority(quorum, replicas) {
			return Err(QuoteError::InvalidQuorum);
		}
		let work_units = shape.work_units();
		let input_len = shape.input_len();
		let pool_needed = Self::pool_needed(replicas);
		let round = Round::first(&shape, replicas, BalanceOf::<T>::max_value(), None);
		let market = Market::<T>::of(&round, frame_system::Pallet::<T>::block_number());
		// The least reward at which the draw would find a pool now, if any would.
		let min_reward = market.as_ref().map_err(Clone::clone).and_then(|market| {
			market.check(pool_needed, work_units, round.reward)?;
			Ok(market.min_reward(pool_needed, work_units, |c| c.has_room).unwrap_or_default())
		});
		let (pool, pool_share) = match (&market, &min_reward) {
			(Ok(market), Ok(reward)) => {
				let (count, weight) =
					market.weigh(|c| c.has_room && Self::cost(c, work_units) <= *reward);
				(count, Perbill::from_parts(admission::share(weight, market.live.total)))
			}
			_ => (0, Perbill::zero()),
		};
		// Bounds for any pool the draw may admit while the market is as it is now, whatever
		// the reward and whoever is busy: as light beyond its heaviest members (counted as
		// drawn) as an admitted pool can be, half the live weight beyond the heaviest, and
		// `pool_needed` members.
		let capture = match &market {
			Ok(market) => {
				let mut weights: Vec<u128> = market.members.iter().map(|(_, w)| *w).collect();
				weights.sort_unstable();
				let beyond_heaviest_members =
					pool_needed.saturating_sub(replicas.saturating_sub(1)) as usize;
				let lightest_members = weights
					.iter()
					.take(beyond_heaviest_members)
					.fold(0u128, |sum, w| sum.saturating_add(*w));
				let lightest_beyond_heaviest =
					admission::least_admitted_beyond_heaviest(market.live).max(lightest_members);
				admission::COALITIONS
					.iter()
					.map(|coalition| Capture {
						coalition: Perbill::from_parts(*coalition),
						chance: Perbill::from_parts(admission::capture_chance(
							admission::part_of(market.live.total, *coalition),
							lightest_beyond_heaviest,
							0,
							replicas,
							quorum,
						)),
					})
					.collect()
			}
			Err(_) => Vec::new(),
		};
		// An input sent remote is one that does not fit inline (`submit` refuses the rest).
		let fits_inline = Self::fits_inline(input_len);
		let remote_bytes = if fits_inline { 0 } else { input_len };
		let inline_deposit = u32::try_from(input_len)
			.ok()
			.filter(|_| fits_inline)
			.and_then(|len| Self::deposit_for(len, 0));
		Ok(Quote {
			work_units,
			min_reward,
			pool,
			pool_needed,
			pool_share,
			capture,
			escalation_replicas: Self::replicas_held(replicas, Self::panel_for(replicas, quorum))
				.saturating_sub(replicas),
			min_commit_window: Self::min_commit_window(&shape, remote_bytes),
			max_commit_window: Self::max_commit_window(&shape, remote_bytes).saturated_into(),
			inline_deposit,
			remote_deposit: Self::deposit_for(0, 0)
				.zip(Self::input_deposit_for(replicas))
				.and_then(|(deposit, input)| deposit.checked_add(&input))
				.unwrap_or_default(),
			input_len,
			output_len: shape.output_len(),
		})
	}
}
