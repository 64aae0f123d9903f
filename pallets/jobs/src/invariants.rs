//! The pallet's invariants, checked by `try_state` (try-runtime) and after every mock test.

use crate::{pallet::*, types::*};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::{fungible::InspectHold, Get},
};
use pallet_providers::{ProviderRegistry, Slot};
use sp_runtime::{
	traits::{CheckedAdd, CheckedMul, Zero},
	Saturating,
};

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - the escrow held from every account (every one `frame_system` knows) equals the sum of
	///   `escrow` over its open jobs, zero for an account with none, and [`OpenJobsOf`] counts
	///   them;
	/// - an open job's escrow is its rewards (for `replicas` plus every escalation it may
	///   need) and deposit, less nothing: nobody is paid before the verdict;
	/// - an ended job holds no escrow; an attested one paid exactly `reward` to each assignee
	///   recorded as agreeing (so nobody was paid twice), a failed one exactly
	///   `FailedRevealShare` of it to each assignee that revealed, any other nothing;
	/// - every assignee of an ended job is settled, and none of an open job is;
	/// - each round drew its seats, and replaced only seats whose drawn assignee declined,
	///   each at most once;
	/// - a job is in [`OpenJobs`] exactly when its phase is open, and has exactly one agenda
	///   entry, at the block [`OpenJobs`] records; inline input is kept only for open jobs, and
	///   an input deposit only for open remote ones, within their deposit;
	/// - open jobs are at most `MaxOpenJobs`, and ids are below [`NextJobId`];
	/// - [`QueuedJobs`] counts the jobs of each kernel in `Queued`, and no kernel with none;
	/// - every provider holds a job slot for each unsettled assignment of an open job's
	///   current round and awaits a verdict for each of an earlier round, and no other (the
	///   registry keeps the counts: [`pallet_providers::ProviderRegistry::check_slots`]).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut escrow_by_requester: BTreeMap<T::AccountId, (BalanceOf<T>, u32)> = BTreeMap::new();
		let mut open = 0u32;
		let mut queued: BTreeMap<concord_primitives::kernel::KernelId, u32> = BTreeMap::new();
		let mut slots: BTreeMap<T::AccountId, (u32, u32)> = BTreeMap::new();
		for (id, job) in Jobs::<T>::iter() {
			if matches!(job.phase, Phase::Queued { .. }) {
				let count = queued.entry(job.spec.kernel).or_default();
				*count = count.saturating_add(1);
			}
			ensure!(id < NextJobId::<T>::get(), "job id not yet given out");
			let is_open = job.phase.is_open();
			ensure!(OpenJobs::<T>::contains_key(id) == is_open, "OpenJobs out of step with phase");
			ensure!(
				JobInputs::<T>::contains_key(id) == (is_open && job.spec.input.source.is_none()),
				"inline input kept for an ended job, or missing for an open one"
			);
			if let Some(input_deposit) = InputDeposits::<T>::get(id) {
				ensure!(
					is_open && job.spec.input.is_remote(),
					"an input deposit kept for an ended job, or for an inline one"
				);
				ensure!(input_deposit <= job.deposit, "an input deposit above the job's deposit");
			}
			for round in 0..=job.round {
				let seats = Self::shape_of_round(&job, round).seats;
				let (drawn, replacements) = Self::round_seats(&job, round);
				let declined = drawn.iter().filter(|a| a.declined).count();
				ensure!(
					replacements.len() <= declined,
					"a seat was drawn again that no drawn assignee declined, or twice"
				);
				ensure!(
					drawn.is_empty() || drawn.len() == seats as usize,
					"a round drew other than its seats"
				);
			}
			let agreed = job
				.assignees
				.iter()
				.filter(|a| a.outcome == Some(pallet_providers::JobOutcome::Agreed))
				.count() as u32;
			if is_open {
				open = open.saturating_add(1);
				for (index, assignee) in job.assignees.iter().enumerate() {
					if assignee.outcome.is_some() {
						continue;
					}
					let (held, awaiting) = slots.entry(assignee.provider.clone()).or_default();
					match Self::slot_of(&job, index) {
						Slot::Held => held.saturating_inc(),
						Slot::Freed => awaiting.saturating_inc(),
					}
				}
				let expected = job
					.spec
					.reward
					.checked_mul(&Self::replicas_held(job.spec.replicas, job.spec.panel).into())
					.and_then(|rewards| rewards.checked_add(&job.deposit))
					.ok_or("escrow overflows")?;
				ensure!(job.escrow == expected, "open job's escrow is not its rewards and deposit");
				ensure!(job.paid.is_zero(), "a provider was paid before the verdict");
				ensure!(
					job.assignees.iter().all(|a| a.outcome.is_none() || a.declined),
					"settled before the end without declining"
				);
				ensure!(
					job.assignees.iter().all(|a| !a.declined || a.outcome.is_some()),
					"a decline left its assignee unsettled"
				);
				let (total, count) = escrow_by_requester.entry(job.requester.clone()).or_default();
				*total = total.checked_add(&job.escrow).ok_or("escrow sum overflows")?;
				*count = count.saturating_add(1);
				let at = OpenJobs::<T>::get(id).ok_or("open job without agenda block")?;
				let entries = Agenda::<T>::get(at).iter().filter(|other| **other == id).count();
				ensure!(entries == 1, "an open job is not on the agenda exactly once");
			} else {
				ensure!(job.escrow.is_zero(), "an ended job still holds escrow");
				ensure!(job.ended_at.is_some(), "an ended job has no end block");
				ensure!(
					job.assignees.iter().all(|a| a.outcome.is_some()),
					"assignee left unsettled"
				);
				let owed = match job.phase {
					Phase::Attested { .. } => {
						job.spec.reward.checked_mul(&agreed.into()).ok_or("pay overflows")?
					}
					Phase::Failed { .. } => {
						ensure!(agreed == 0, "a job without a result paid a provider as agreeing");
						let revealers = job
							.assignees
							.iter()
							.filter(|a| a.revealed.is_some() && !a.declined)
							.count() as u32;
						(T::FailedRevealShare::get() * job.spec.reward)
							.checked_mul(&revealers.into())
							.ok_or("pay overflows")?
					}
					_ => Zero::zero(),
				};
				ensure!(job.paid == owed, "paid differs from what the verdict owes");
			}
		}
		for (id, _) in InputDeposits::<T>::iter() {
			ensure!(Jobs::<T>::contains_key(id), "an input deposit kept for no job");
		}
		ensure!(open == OpenJobs::<T>::count(), "OpenJobs counter is wrong");
		ensure!(open <= T::MaxOpenJobs::get(), "more open jobs than MaxOpenJobs");
		let mut entries = 0u32;
		for (_, due) in Agenda::<T>::iter() {
			entries = entries.saturating_add(due.len() as u32);
		}
		ensure!(entries == open, "agenda entries differ from open jobs");
		ensure!(
			QueuedJobs::<T>::iter().collect::<BTreeMap<_, _>>() == queued,
			"QueuedJobs differs from the jobs of each kernel waiting for providers"
		);
		let reason: T::RuntimeHoldReason = HoldReason::JobEscrow.into();
		for (requester, (escrow, count)) in &escrow_by_requester {
			ensure!(
				T::Currency::balance_on_hold(&reason, requester) == *escrow,
				"held escrow differs from the sum over the requester's open jobs"
			);
			ensure!(OpenJobsOf::<T>::get(requester) == *count, "OpenJobsOf miscounts");
		}
		// Every other account holds no escrow: a hold left behind by an ended job, or taken
		// for a job never recorded, is a leak (O(accounts): try-runtime and tests only).
		for account in frame_system::Account::<T>::iter_keys() {
			if !escrow_by_requester.contains_key(&account) {
				ensure!(
					T::Currency::balance_on_hold(&reason, &account).is_zero(),
					"escrow held from an account with no open job"
				);
			}
		}
		for (requester, count) in OpenJobsOf::<T>::iter() {
			ensure!(
				escrow_by_requester.get(&requester).map(|(_, c)| *c) == Some(count),
				"OpenJobsOf counts a requester with no open job"
			);
		}
		T::Providers::check_slots(&slots)?;
		let (head, tail) = EndedRange::<T>::get();
		ensure!(head <= tail, "prune queue head past its tail");
		Ok(())
	}
}
