//! What clients read: the runtime API (called with `state_call`, described in the metadata so
//! that @polkadot/api and Polkadot.js Apps reach it without custom definitions), and the
//! pallet functions that implement it.
//!
//! A job's inline input is read from storage (`JobInputs`, `api.query.jobs.jobInputs(id)`), not
//! through the API: @polkadot/api returns an `Option<Vec<u8>>` result of a runtime call still
//! encoded, so the bytes would reach Apps users wrong.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use codec::Codec;
use concord_primitives::kernel::{self, KernelId};
use frame_support::traits::Get;

sp_api::decl_runtime_apis! {
	/// Jobs, what providers owe them, and prices.
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
		/// with no other job open: each open job adds a `JobDeposit` to the next one's deposit).
		fn quote(kernel: KernelId, params: Vec<u32>, replicas: u32) -> Result<Quote<Balance>, QuoteError>;
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
		let mine = job.assignees.iter().find(|a| a.provider == *provider)?;
		if mine.round != job.round || mine.declined {
			return None;
		}
		match job.phase {
			Phase::Committing { until } if now <= until && mine.commitment.is_none() => {
				Some(Duty::Commit { until })
			}
			Phase::Revealing { until }
				if now <= until && mine.commitment.is_some() && mine.revealed.is_none() =>
			{
				Some(Duty::Reveal { until })
			}
			_ => None,
		}
	}

	pub fn why_unassigned(id: JobId) -> Option<NoAssignmentOf<T>> {
		let job = Jobs::<T>::get(id)?;
		match job.phase {
			Phase::Queued { .. } => Self::eligible(&Self::round_of(&job)).err(),
			Phase::Failed { reason: FailReason::Unassigned(reason) } => Some(reason),
			_ => None,
		}
	}

	pub fn quote(
		kernel: KernelId,
		params: Vec<u32>,
		replicas: u32,
	) -> Result<Quote<BalanceOf<T>>, QuoteError> {
		let shape =
			kernel::validate_params(kernel, &params).map_err(|_| QuoteError::InvalidParams)?;
		if replicas == 0 || replicas > T::MaxReplicas::get() {
			return Err(QuoteError::InvalidReplicas);
		}
		let work_units = shape.work_units();
		let input_len = shape.input_len();
		let pool_needed = Self::pool_needed(replicas);
		let free = Self::available(kernel, shape.memory_mib_needed(), pool_needed, |_| false);
		let min_reward = free
			.as_ref()
			.map(|free| Self::min_reward(free, work_units, pool_needed))
			.map_err(Clone::clone);
		let pool = match (&free, &min_reward) {
			(Ok(free), Ok(reward)) => {
				free.iter().filter(|c| Self::cost(c, work_units) <= *reward).count() as u32
			}
			_ => 0,
		};
		let inline_deposit = u32::try_from(input_len)
			.ok()
			.filter(|len| *len <= T::MaxInlineInput::get())
			.and_then(|len| Self::deposit_for(len, 0));
		Ok(Quote {
			work_units,
			min_reward,
			pool,
			pool_needed,
			escalation_replicas: Self::replicas_held(replicas).saturating_sub(replicas),
			min_commit_window: Self::min_commit_window(&shape),
			inline_deposit,
			remote_deposit: T::JobDeposit::get(),
			input_len,
			output_len: shape.output_len(),
		})
	}
}
