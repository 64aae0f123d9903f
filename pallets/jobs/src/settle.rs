//! The verdict and what follows from it: payment, slashing, escalation, failure and refund.
//! Payment needs no action from the requester: it happens in the block that decides.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use concord_primitives::market::verdict::{tally, Reveal, Verdict};
use frame_support::traits::{
	fungible::MutateHold,
	tokens::{Fortitude, Precision, Restriction},
	Get,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_providers::{JobOutcome, ProviderRegistry};
use sp_runtime::traits::{CheckedMul, One, Saturating};

impl<T: Config> Pallet<T> {
	/// Counts the reveals of every round. A quorum settles the job; without one it escalates
	/// while escalations are left, else fails.
	pub(crate) fn conclude(id: JobId, job: &mut JobInfoOf<T>, now: BlockNumberFor<T>) {
		let reveals: Vec<Reveal<sp_core::H256>> = job
			.assignees
			.iter()
			.map(|a| match (a.revealed, a.commitment) {
				(Some(hash), _) => Reveal::Revealed(hash),
				(None, Some(_)) => Reveal::CommittedOnly,
				(None, None) => Reveal::Absent,
			})
			.collect();
		match tally(&reveals, job.spec.quorum) {
			Verdict::Attested { hash, agreeing, deviating, no_shows } => {
				Self::deposit_event(Event::Attested {
					job: id,
					result_hash: hash,
					agreeing: agreeing.len() as u32,
				});
				for index in agreeing {
					Self::pay(id, job, index as usize);
				}
				for index in deviating {
					Self::penalise(id, job, index as usize, Offence::WrongResult);
				}
				for index in no_shows {
					Self::penalise(id, job, index as usize, Offence::NoShow);
				}
				Self::end(id, job, Phase::Attested { result_hash: hash });
			}
			Verdict::NoQuorum { .. } if u32::from(job.round) < T::MaxEscalations::get() => {
				Self::escalate(id, job, now)
			}
			Verdict::NoQuorum { .. } => Self::fail(id, job, FailReason::NoQuorum),
		}
	}

	/// Holds the rewards of `EscalationReplicas` more providers and queues the job to assign
	/// them; fails the job if the requester cannot pay for them.
	fn escalate(id: JobId, job: &mut JobInfoOf<T>, now: BlockNumberFor<T>) {
		let extra = T::EscalationReplicas::get();
		let held = job.spec.reward.checked_mul(&extra.into()).filter(|cost| {
			Self::ensure_can_hold(&job.requester, *cost).is_ok()
				&& T::Currency::hold(&HoldReason::JobEscrow.into(), &job.requester, *cost).is_ok()
		});
		let Some(cost) = held else {
			return Self::fail(id, job, FailReason::EscalationUnfunded);
		};
		job.escrow = job.escrow.saturating_add(cost);
		job.round = job.round.saturating_add(1);
		job.phase = Phase::Queued { until: now.saturating_add(T::AssignmentTimeout::get()) };
		Self::schedule_or_report(id, now.saturating_add(One::one()));
		Self::deposit_event(Event::Escalated { job: id, round: job.round, extra });
	}

	/// Ends the job without a result: assignees that revealed are released with no verdict on
	/// them, those that did not are slashed as no-shows, and the escrow is refunded.
	///
	/// When nobody revealed at all, nobody is slashed: every assignee failing at once points at
	/// the job (a remote input its requester never served), and slashing them would pay the
	/// requester for griefing.
	pub(crate) fn fail(id: JobId, job: &mut JobInfoOf<T>, reason: FailReason<BalanceOf<T>>) {
		let anyone_revealed = job.assignees.iter().any(|a| a.revealed.is_some());
		for index in 0..job.assignees.len() {
			if job.assignees[index].revealed.is_some() || !anyone_revealed {
				job.assignees[index].outcome = Some(JobOutcome::Inconclusive);
				T::Providers::end_job(&job.assignees[index].provider, JobOutcome::Inconclusive);
			} else {
				Self::penalise(id, job, index, Offence::NoShow);
			}
		}
		Self::deposit_event(Event::Failed { job: id, reason: reason.clone() });
		Self::end(id, job, Phase::Failed { reason });
	}

	/// Pays assignee `index` its reward from the escrow and records its agreement. An
	/// assignee is settled once: a second call pays nothing.
	fn pay(id: JobId, job: &mut JobInfoOf<T>, index: usize) {
		if job.assignees[index].outcome.is_some() {
			frame_support::defensive!("an assignee was settled twice");
			return;
		}
		job.assignees[index].outcome = Some(JobOutcome::Agreed);
		let provider = job.assignees[index].provider.clone();
		let reward = job.spec.reward;
		let paid = T::Currency::transfer_on_hold(
			&HoldReason::JobEscrow.into(),
			&job.requester,
			&provider,
			reward,
			Precision::Exact,
			Restriction::Free,
			Fortitude::Force,
		);
		match paid {
			Ok(amount) => {
				job.escrow = job.escrow.saturating_sub(amount);
				job.paid = job.paid.saturating_add(amount);
				Self::deposit_event(Event::Paid { job: id, provider: provider.clone(), amount });
			}
			Err(_) => {
				frame_support::defensive!("escrow could not pay a reward it holds");
			}
		}
		T::Providers::end_job(&provider, JobOutcome::Agreed);
	}

	/// Slashes assignee `index` for `offence`, to the requester, and records it.
	fn penalise(id: JobId, job: &mut JobInfoOf<T>, index: usize, offence: Offence) {
		if job.assignees[index].outcome.is_some() {
			frame_support::defensive!("an assignee was settled twice");
			return;
		}
		let (fraction, outcome) = match offence {
			Offence::WrongResult => (T::WrongResultSlash::get(), JobOutcome::Deviated),
			Offence::NoShow => (T::NoShowSlash::get(), JobOutcome::NoShow),
		};
		job.assignees[index].outcome = Some(outcome);
		let provider = &job.assignees[index].provider;
		let amount = T::Providers::slash(provider, fraction, Some(&job.requester));
		Self::deposit_event(Event::Slashed {
			job: id,
			provider: provider.clone(),
			offence,
			amount,
		});
		T::Providers::end_job(provider, outcome);
	}
}
