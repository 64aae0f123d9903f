//! The verdict and what follows from it: payment, slashing, escalation, failure and refund.
//! Payment needs no action from the requester: it happens in the block that decides.
//!
//! Blame is only ever decided against an attested result: a job that ends without one slashes
//! nobody, since nothing shows who was right. Slashes are burnt, so no party, the requester
//! least, earns from making others miss.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use concord_primitives::market::verdict::{self, tally, Reveal, Verdict};
use frame_support::traits::{
	fungible::MutateHold,
	tokens::{Fortitude, Precision, Restriction},
	Get,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_providers::{JobOutcome, ProviderRegistry, Slot};
use sp_core::H256;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Counts the reveals of the current round only: a vote cast after an earlier round's
	/// reveals were public never joins that round's count. A quorum settles every assignee of
	/// every round against the attested hash, unless more assignees, over every round,
	/// revealed another hash than revealed it: the job is then contested and fails, slashing
	/// nobody. Without a quorum the job escalates while escalations are left, else fails.
	pub(crate) fn conclude(id: JobId, job: &mut JobInfoOf<T>, now: BlockNumberFor<T>) {
		let reveals: Vec<Reveal<H256>> = Self::current_round(job)
			.filter(|a| !a.declined)
			.map(|a| match (a.revealed, a.commitment) {
				(Some(hash), _) => Reveal::Revealed(hash),
				(None, Some(_)) => Reveal::CommittedOnly,
				(None, None) => Reveal::Absent,
			})
			.collect();
		match tally(&reveals, Self::current_shape(job).quorum) {
			Verdict::Attested { hash, .. } if Self::outvoted(job, hash) => {
				Self::fail(id, job, FailReason::Contested { attested: hash })
			}
			Verdict::Attested { hash, agreeing, .. } => {
				Self::deposit_event(Event::Attested {
					job: id,
					result_hash: hash,
					agreeing: agreeing.len() as u32,
				});
				Self::judge_against(id, job, hash);
				Self::end(id, job, Phase::Attested { result_hash: hash });
			}
			Verdict::NoQuorum { .. } if u32::from(job.round) < T::MaxEscalations::get() => {
				Self::escalate(id, job, now)
			}
			Verdict::NoQuorum { .. } => Self::fail(id, job, FailReason::NoQuorum),
		}
	}

	/// Whether more assignees, over every round, revealed another hash than revealed `hash`.
	fn outvoted(job: &JobInfoOf<T>, hash: H256) -> bool {
		let revealed: Vec<H256> = job.assignees.iter().filter_map(|a| a.revealed).collect();
		verdict::outvoted(&revealed, hash)
	}

	/// Settles every assignee not yet settled, of every round, against the attested `hash`:
	/// paid for revealing it; slashed as a deviant for revealing another or for committing
	/// and withholding; slashed as a no-show for never committing.
	fn judge_against(id: JobId, job: &mut JobInfoOf<T>, hash: H256) {
		for index in 0..job.assignees.len() {
			let assignee = &job.assignees[index];
			if assignee.outcome.is_some() {
				continue;
			}
			match (assignee.revealed, assignee.commitment) {
				(Some(revealed), _) if revealed == hash => {
					Self::pay(id, job, index, job.spec.reward, JobOutcome::Agreed)
				}
				(Some(_), _) => Self::penalise(id, job, index, Offence::WrongResult),
				(None, Some(_)) => Self::penalise(id, job, index, Offence::Withheld),
				(None, None) => Self::penalise(id, job, index, Offence::NoShow),
			}
		}
	}

	/// Queues the job to draw a fresh panel (`spec.panel`), whose rewards were held at
	/// submission. The round that ended gives its slots back: its assignees have nothing left
	/// to do, and holding them through the panel's round would let one late assignee keep the
	/// others' slots for every round of the job (NM3). They are judged by the final verdict,
	/// and cannot withdraw before it.
	fn escalate(id: JobId, job: &mut JobInfoOf<T>, now: BlockNumberFor<T>) {
		let round = job.round;
		for assignee in job.assignees.iter().filter(|a| a.round == round && a.outcome.is_none()) {
			T::Providers::free_slot(&assignee.provider);
		}
		let extra = job.spec.panel.seats;
		job.round = job.round.saturating_add(1);
		job.phase = Phase::Queued { until: now.saturating_add(T::AssignmentTimeout::get()) };
		Self::enter_queue(job.spec.kernel);
		// Drawn once the reveals that caused the escalation are mixed with VRF outputs that
		// nobody knew when they were made.
		Self::schedule_or_report(id, now.saturating_add(T::DrawDelay::get()));
		Self::deposit_event(Event::Escalated { job: id, round: job.round, extra });
	}

	/// Ends the job without a result. Nobody is slashed: with no attested result, nothing
	/// shows who was right. Assignees that revealed are paid `FailedRevealShare` of the reward
	/// for work that whoever blocked the verdict must not get for free; the rest of the escrow
	/// is refunded.
	pub(crate) fn fail(id: JobId, job: &mut JobInfoOf<T>, reason: FailReason<BalanceOf<T>>) {
		let share = T::FailedRevealShare::get() * job.spec.reward;
		for index in 0..job.assignees.len() {
			if job.assignees[index].outcome.is_some() {
				continue;
			}
			if job.assignees[index].revealed.is_some() {
				Self::pay(id, job, index, share, JobOutcome::Inconclusive);
			} else {
				Self::release(job, index);
			}
		}
		Self::deposit_event(Event::Failed { job: id, reason: reason.clone() });
		Self::end(id, job, Phase::Failed { reason });
	}

	/// Pays the requester's input deposit ([`InputDeposits`]) to the first round's assignees
	/// that reported the input unavailable (declined it), as the job fails `InputUnavailable`:
	/// equal shares, each at most one seat's deposit ([`Config::InputDeposit`]), so that
	/// assignees colluding to report a served input falsely earn no more each than a seat's
	/// worth, and only when at least two reported: a lone report is ignored, also where it
	/// alone fails the job (a unanimous quorum, or a single replica), since otherwise any one
	/// assignee of such a job earned a seat's deposit for a free decline. What is left goes
	/// back with the rest of the escrow. Not a reward: nobody's `paid` counts it.
	pub(crate) fn share_input_deposit(id: JobId, job: &mut JobInfoOf<T>) {
		let Some(deposit) = InputDeposits::<T>::take(id) else { return };
		let reporters: Vec<T::AccountId> = job
			.assignees
			.iter()
			.filter(|a| a.round == 0 && a.declined)
			.map(|a| a.provider.clone())
			.collect();
		let Ok(count) = u32::try_from(reporters.len()) else { return };
		if count < 2 {
			return;
		}
		let share = (deposit / count.into()).min(T::InputDeposit::get());
		if share.is_zero() {
			return;
		}
		for provider in reporters {
			match Self::pay_from_escrow(job, &provider, share) {
				Some(amount) => {
					job.deposit = job.deposit.saturating_sub(amount);
					Self::deposit_event(Event::InputDepositShared { job: id, provider, amount });
				}
				None => {
					frame_support::defensive!("escrow could not pay an input deposit it holds");
				}
			}
		}
	}

	/// Moves `amount` of the job's escrow, held from its requester, to `to`'s free balance;
	/// returns what moved, `None` if the hold could not pay it.
	fn pay_from_escrow(
		job: &mut JobInfoOf<T>,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Option<BalanceOf<T>> {
		let paid = T::Currency::transfer_on_hold(
			&HoldReason::JobEscrow.into(),
			&job.requester,
			to,
			amount,
			Precision::Exact,
			Restriction::Free,
			Fortitude::Force,
		)
		.ok()?;
		job.escrow = job.escrow.saturating_sub(paid);
		Some(paid)
	}

	/// Ends assignee `index`'s part in the job with no verdict on it.
	pub(crate) fn release(job: &mut JobInfoOf<T>, index: usize) {
		job.assignees[index].outcome = Some(JobOutcome::Inconclusive);
		let slot = Self::slot_of(job, index);
		T::Providers::end_job(&job.assignees[index].provider, JobOutcome::Inconclusive, slot);
	}

	/// Whether assignee `index` still holds its job slot: an earlier round's gave theirs back
	/// when the job escalated.
	pub(crate) fn slot_of(job: &JobInfoOf<T>, index: usize) -> Slot {
		if job.assignees[index].round < job.round {
			Slot::Freed
		} else {
			Slot::Held
		}
	}

	/// The unsettled assignees of rounds the job has left ([`Slot::Freed`]): they gave their
	/// slots back when those rounds escalated, and wait only for the verdict.
	pub(crate) fn awaiting_verdict(job: &JobInfoOf<T>) -> impl Iterator<Item = &T::AccountId> {
		job.assignees
			.iter()
			.enumerate()
			.filter(|(index, a)| a.outcome.is_none() && Self::slot_of(job, *index) == Slot::Freed)
			.map(|(_, a)| &a.provider)
	}

	/// Pays assignee `index` `amount` from the escrow and records `outcome`. An assignee is
	/// settled once: a second call pays nothing.
	fn pay(
		id: JobId,
		job: &mut JobInfoOf<T>,
		index: usize,
		amount: BalanceOf<T>,
		outcome: JobOutcome,
	) {
		if job.assignees[index].outcome.is_some() {
			frame_support::defensive!("an assignee was settled twice");
			return;
		}
		job.assignees[index].outcome = Some(outcome);
		let provider = job.assignees[index].provider.clone();
		match Self::pay_from_escrow(job, &provider, amount) {
			Some(amount) => {
				job.paid = job.paid.saturating_add(amount);
				Self::deposit_event(Event::Paid { job: id, provider: provider.clone(), amount });
			}
			None => {
				frame_support::defensive!("escrow could not pay a reward it holds");
			}
		}
		T::Providers::end_job(&provider, outcome, Self::slot_of(job, index));
	}

	/// Slashes assignee `index` for `offence` (burnt) and records it.
	fn penalise(id: JobId, job: &mut JobInfoOf<T>, index: usize, offence: Offence) {
		if job.assignees[index].outcome.is_some() {
			frame_support::defensive!("an assignee was settled twice");
			return;
		}
		let (fraction, outcome) = match offence {
			Offence::WrongResult | Offence::Withheld => {
				(T::WrongResultSlash::get(), JobOutcome::Deviated)
			}
			Offence::NoShow => (T::NoShowSlash::get(), JobOutcome::NoShow),
		};
		job.assignees[index].outcome = Some(outcome);
		let provider = &job.assignees[index].provider;
		let amount = T::Providers::slash(provider, fraction, None);
		Self::deposit_event(Event::Slashed {
			job: id,
			provider: provider.clone(),
			offence,
			amount,
		});
		T::Providers::end_job(provider, outcome, Self::slot_of(job, index));
	}
}
