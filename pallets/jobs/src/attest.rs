//! Commit and reveal: assignees bind themselves to a result before anything is public, then
//! show it. Every check runs before the first write.

use crate::{pallet::*, types::*};
use codec::Encode;
use concord_primitives::market::commitment::commitment;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_providers::ProviderRegistry;
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

/// What a decline did, for the weight it is charged.
pub(crate) enum Declined {
	/// Its seat is drawn again later (`decline_replaced`).
	Replacing,
	/// It settled this many assignees: itself, or every one when it ended the round
	/// (`decline(n)`).
	Settled(u32),
	/// It failed the job for its input, settling this many assignees and paying the
	/// reporters (`decline_input_unavailable(n)`).
	InputUnavailable(u32),
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_commit(who: T::AccountId, id: JobId, commitment: H256) -> DispatchResult {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.phase.is_open(), Error::<T>::JobEnded);
		let index = Self::assignee_index(&job, &who)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::commit_duty(&job, index, now)?;

		job.assignees[index].commitment = Some(commitment);
		Self::deposit_event(Event::Committed { job: id, provider: who });
		if Self::all_seats_committed_or_declined(&job) {
			Self::unschedule(id);
			Self::open_reveals(id, &mut job, now)?;
		}
		Jobs::<T>::insert(id, job);
		Ok(())
	}

	/// Returns what the decline did: replaced its seat, or settled itself, or every assignee
	/// when it was the last one the round waited for and the round concluded.
	pub(crate) fn do_decline(who: T::AccountId, id: JobId) -> Result<Declined, DispatchError> {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.phase.is_open(), Error::<T>::JobEnded);
		let index = Self::assignee_index(&job, &who)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::commit_duty(&job, index, now)?;

		// A remote input may be one the requester never served to anyone but its own Sybils:
		// declining it is free, and it counts toward failing the job, never toward drawing
		// a replacement (which would hand the starved seat to a fresh draw).
		let fee = if job.spec.input.is_remote() {
			Zero::zero()
		} else {
			T::Providers::charge(&who, T::DeclineFee::get())
		};
		let to_replace = Self::seats_to_replace(&job);
		job.assignees[index].declined = true;
		Self::release(&mut job, index);
		Self::deposit_event(Event::Declined { job: id, provider: who, fee });
		let mut declined = Declined::Settled(1);
		if Self::input_unavailable(&job) {
			Self::unschedule(id);
			Self::share_input_deposit(id, &mut job);
			Self::fail(id, &mut job, FailReason::InputUnavailable);
			declined = Declined::InputUnavailable(job.assignees.len() as u32);
		} else if Self::seats_to_replace(&job) > to_replace {
			// A drawn seat to draw again. (A replacement's decline adds none, and leaves a
			// pending draw where it is: it must not re-roll another seat's draw.)
			if Self::schedule_replacement(id, now).is_err() {
				frame_support::defensive!("no agenda slot for an open job");
			}
			declined = Declined::Replacing;
		} else if Self::all_seats_committed_or_declined(&job) {
			Self::unschedule(id);
			Self::close_commits(id, &mut job, now);
			if !matches!(job.phase, Phase::Revealing { .. }) {
				declined = Declined::Settled(job.assignees.len() as u32);
			}
		}
		Jobs::<T>::insert(id, job);
		Ok(declined)
	}

	/// The end of the commit window in which assignee `index` may commit or decline at block
	/// `now`, or why it may not: the round is its own, it neither declined nor committed, and
	/// the window is open. The one rule for `commit`, `decline` and the duties a provider is
	/// told of (so for [`crate::PrioritizeDuties`] too).
	pub(crate) fn commit_duty(
		job: &JobInfoOf<T>,
		index: usize,
		now: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, Error<T>> {
		let assignment = &job.assignees[index];
		ensure!(!assignment.declined, Error::<T>::AlreadyDeclined);
		ensure!(assignment.commitment.is_none(), Error::<T>::AlreadyCommitted);
		match job.phase {
			Phase::Committing { until } if now <= until && assignment.round == job.round => {
				Ok(until)
			}
			_ => Err(Error::<T>::CommitWindowClosed),
		}
	}

	/// The end of the reveal window in which assignee `index` may reveal at block `now`, with
	/// its commitment, or why it may not: the round is its own and reveals are open, it
	/// committed and has not revealed. The one rule for `reveal` and the duties.
	pub(crate) fn reveal_duty(
		job: &JobInfoOf<T>,
		index: usize,
		now: BlockNumberFor<T>,
	) -> Result<(BlockNumberFor<T>, H256), Error<T>> {
		let assignment = &job.assignees[index];
		ensure!(assignment.revealed.is_none(), Error::<T>::AlreadyRevealed);
		let this_round = assignment.round == job.round;
		let until = match job.phase {
			Phase::Queued { .. } | Phase::Committing { .. } if this_round => {
				return Err(Error::<T>::RevealTooEarly)
			}
			Phase::Revealing { until } if this_round && now <= until => until,
			_ => return Err(Error::<T>::RevealWindowClosed),
		};
		let committed = assignment.commitment.ok_or(Error::<T>::NotCommitted)?;
		Ok((until, committed))
	}

	/// Whether the job's remote input has been declined by so many of its first round that
	/// those left cannot reach its quorum (the decliners could not obtain it, or would not say
	/// so; either way no verdict can come of the round). Only the first round: a panel's
	/// declines end their round as usual, which escalates again or fails `NoQuorum`, since
	/// failing at once would spare a cartel that spoiled the first round every panel after
	/// the one it starves.
	fn input_unavailable(job: &JobInfoOf<T>) -> bool {
		let left = Self::current_round(job).filter(|a| !a.declined).count() as u32;
		job.spec.input.is_remote() && job.round == 0 && left < Self::current_shape(job).quorum
	}

	/// Whether the round has nothing more to wait for in its commit window: every assignee
	/// committed or declined, and no declined seat waits for its replacement.
	fn all_seats_committed_or_declined(job: &JobInfoOf<T>) -> bool {
		Self::current_round(job).all(|a| a.declined || a.commitment.is_some())
			&& Self::seats_to_replace(job) == 0
	}

	/// Returns how many assignees the reveal settled: all of them if it was the last one of
	/// its round, else none.
	pub(crate) fn do_reveal(
		who: T::AccountId,
		id: JobId,
		result_hash: H256,
		salt: [u8; 32],
	) -> Result<u32, DispatchError> {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.phase.is_open(), Error::<T>::JobEnded);
		let index = Self::assignee_index(&job, &who)?;
		let now = frame_system::Pallet::<T>::block_number();
		let (_, committed) = Self::reveal_duty(&job, index, now)?;
		let expected = commitment(&result_hash.0, &salt, &who.encode());
		ensure!(committed.0 == expected, Error::<T>::CommitmentMismatch);

		job.assignees[index].revealed = Some(result_hash);
		Self::deposit_event(Event::Revealed { job: id, provider: who, result_hash });
		let mut settled = 0;
		if Self::current_round(&job).all(|a| a.commitment.is_none() || a.revealed.is_some()) {
			Self::unschedule(id);
			Self::conclude(id, &mut job, now);
			settled = job.assignees.len() as u32;
		}
		Jobs::<T>::insert(id, job);
		Ok(settled)
	}

	/// The commit window is over: those that committed may reveal. With none committed there
	/// is nothing to wait for, and the job is concluded at once.
	pub(crate) fn close_commits(id: JobId, job: &mut JobInfoOf<T>, now: BlockNumberFor<T>) {
		if Self::current_round(job).any(|a| a.commitment.is_some()) {
			if Self::open_reveals(id, job, now).is_err() {
				frame_support::defensive!("no agenda slot for an open job");
			}
		} else {
			Self::conclude(id, job, now);
		}
	}

	/// Starts the reveal window of the job's current round.
	fn open_reveals(id: JobId, job: &mut JobInfoOf<T>, now: BlockNumberFor<T>) -> DispatchResult {
		let reveal_until = now.saturating_add(job.spec.reveal_window);
		job.phase = Phase::Revealing { until: reveal_until };
		Self::schedule(id, reveal_until.saturating_add(One::one()))?;
		Self::deposit_event(Event::RevealsOpened { job: id, reveal_until });
		Ok(())
	}

	/// Where `who` is among the job's assignees (each provider appears at most once).
	fn assignee_index(job: &JobInfoOf<T>, who: &T::AccountId) -> Result<usize, DispatchError> {
		job.assignees
			.iter()
			.position(|a| a.provider == *who)
			.ok_or_else(|| Error::<T>::NotAssignee.into())
	}

	/// The assignees of the job's current round.
	pub(crate) fn current_round(
		job: &JobInfoOf<T>,
	) -> impl Iterator<Item = &Assignment<T::AccountId>> {
		let round = job.round;
		job.assignees.iter().filter(move |a| a.round == round)
	}
}
