//! Waiting for providers: how many jobs of a kernel may wait at once, how often a waiting
//! round is tried again, and what each attempt that finds no pool costs its requester.
//!
//! A round that finds no pool waits for one, and every attempt to draw it but a job's first
//! (which `submit` pays for) is agenda work that no transaction paid for. So a waiting round is
//! tried again at growing intervals (after as long as it has waited, at least `RetryInterval`
//! and at most a quarter of `AssignmentTimeout` apart), which bounds its attempts; each later
//! attempt that finds no pool burns `RetryFee` from the job's deposit, held for every attempt
//! its rounds may make; and while `MaxQueuedPerKernel` jobs of a kernel wait, a new one is
//! taken only if a pool is free for it now, so jobs nobody can take yet never fill the market
//! (NM2 in docs/DESIGN.md).

use crate::pallet::*;
use concord_primitives::kernel::KernelId;
use frame_support::traits::{
	fungible::MutateHold,
	tokens::{Fortitude, Precision},
	Get,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// When a round that has waited for providers since `since` and found none at `now` is
	/// tried again: after as long as it has waited (so the waits double), at least
	/// `RetryInterval` and at most a quarter of `AssignmentTimeout` later, and never after
	/// `deadline`.
	pub(crate) fn next_attempt(
		now: BlockNumberFor<T>,
		since: BlockNumberFor<T>,
		deadline: BlockNumberFor<T>,
	) -> BlockNumberFor<T> {
		let shortest = T::RetryInterval::get();
		let longest = (T::AssignmentTimeout::get() / 4u32.into()).max(shortest);
		let wait = now.saturating_sub(since).max(shortest).min(longest);
		now.saturating_add(wait).min(deadline)
	}

	/// The block a round queued until `until` began to wait for providers: it is queued for
	/// `AssignmentTimeout` from its submission or escalation.
	pub(crate) fn queued_since(until: BlockNumberFor<T>) -> BlockNumberFor<T> {
		until.saturating_sub(T::AssignmentTimeout::get())
	}

	/// The most attempts one queued round can make that find no pool (each charged
	/// `RetryFee`): those [`Self::next_attempt`] schedules from its first attempt, `DrawDelay`
	/// after it was queued, to its deadline, where it fails instead. Attempts the agenda makes
	/// late only make the later waits longer, so never more.
	pub(crate) fn most_deferred_attempts() -> u32 {
		let since = BlockNumberFor::<T>::zero();
		let deadline = T::AssignmentTimeout::get();
		let mut now = T::DrawDelay::get();
		let mut attempts = 0u32;
		// Each wait is at least `RetryInterval` (at least one block), so this ends within
		// `AssignmentTimeout / RetryInterval` steps.
		while now < deadline {
			attempts.saturating_inc();
			now = Self::next_attempt(now, since, deadline);
		}
		attempts
	}

	/// What a job holds, in its deposit, for the attempts that find no pool: `RetryFee` for
	/// each that its first round and every escalation may make, but the first (paid by
	/// `submit`).
	pub(crate) fn retry_budget() -> BalanceOf<T> {
		let rounds = T::MaxEscalations::get().saturating_add(1);
		let attempts = Self::most_deferred_attempts().saturating_mul(rounds).saturating_sub(1);
		T::RetryFee::get().saturating_mul(attempts.into())
	}

	/// Burns `RetryFee` for an attempt that found no pool from the job's deposit (never from
	/// the rewards it holds: a job submitted before retries were charged pays at most its
	/// deposit). Returns what was burnt.
	pub(crate) fn charge_retry(job: &mut JobInfoOf<T>) -> BalanceOf<T> {
		let fee = T::RetryFee::get().min(job.deposit);
		if fee.is_zero() {
			return fee;
		}
		let burnt = T::Currency::burn_held(
			&HoldReason::JobEscrow.into(),
			&job.requester,
			fee,
			Precision::BestEffort,
			Fortitude::Force,
		)
		.unwrap_or_else(|_| Zero::zero());
		if burnt != fee {
			frame_support::defensive!("escrow on hold differs from the job's record");
		}
		job.deposit = job.deposit.saturating_sub(burnt);
		job.escrow = job.escrow.saturating_sub(burnt);
		burnt
	}

	/// A round of a job of `kernel` begins to wait for providers. An escalation is never
	/// refused for a full queue (the job was accepted), so the count may pass the bound.
	pub(crate) fn enter_queue(kernel: KernelId) {
		QueuedJobs::<T>::mutate(kernel, |queued| queued.saturating_inc());
	}

	/// A round of a job of `kernel` stopped waiting: it was drawn, or its job ended.
	pub(crate) fn leave_queue(kernel: KernelId) {
		QueuedJobs::<T>::mutate_exists(kernel, |queued| {
			if queued.is_none() {
				frame_support::defensive!("a job left a queue that counted none");
			}
			*queued = queued.map(|count| count.saturating_sub(1)).filter(|count| *count > 0);
		});
	}

	/// Whether `MaxQueuedPerKernel` jobs of `kernel` wait for providers already.
	pub(crate) fn queue_is_full(kernel: KernelId) -> bool {
		QueuedJobs::<T>::get(kernel) >= T::MaxQueuedPerKernel::get()
	}
}
