//! Blind replacement of decliners: a seat whose assignee declines is drawn again within its
//! round, so a decline never shrinks a round (nor sends it to a panel) for the decline fee.
//!
//! The replacement is blind: the round's reveals open only once every seat has committed,
//! declined or lapsed, replacements included, so a replacement commits before any reveal of
//! its round is public. It is drawn `DrawDelay` blocks after the last decline of its round,
//! from the registry as it stood at the end of that block and with a seed that folds the VRF
//! output of every block in between: a decliner picks when to decline, never whom it hands
//! its seat to. Each of a round's seats is replaced at most once (a replacement that declines
//! leaves its seat empty), so a round never has more than `2 * seats` assignees and never more
//! than `seats` that can be paid.
//!
//! The round's first `seats` assignees are the ones its draw picked, in order; any after them
//! are replacements. That is how a seat's replacement is told apart, with nothing stored.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use concord_primitives::kernel;
use frame_support::{pallet_prelude::DispatchResult, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating, Zero};

/// Some of a round's assignees, in the order they were drawn.
pub(crate) type RoundAssignees<'a, T> = Vec<&'a Assignment<<T as frame_system::Config>::AccountId>>;

impl<T: Config> Pallet<T> {
	/// Seats of the current round whose drawn assignee declined and that no replacement has
	/// taken yet.
	/// None for a remote input: its declines are free, so a replacement would let a requester
	/// that serves only its Sybils starve honest seats until the draw hands them over.
	pub(crate) fn seats_to_replace(job: &JobInfoOf<T>) -> u32 {
		if job.spec.input.is_remote() {
			return 0;
		}
		let (drawn, replacements) = Self::round_seats(job, job.round);
		let declined = drawn.iter().filter(|assignee| assignee.declined).count();
		declined.saturating_sub(replacements.len()) as u32
	}

	/// The assignees of the job's `round`, in the order they were drawn, split into those its
	/// draw picked (the first `seats`) and the replacements drawn after them.
	pub(crate) fn round_seats(
		job: &JobInfoOf<T>,
		round: u8,
	) -> (RoundAssignees<'_, T>, RoundAssignees<'_, T>) {
		let seats = Self::shape_of_round(job, round).seats as usize;
		let mut in_round: Vec<_> = job.assignees.iter().filter(|a| a.round == round).collect();
		let replacements = in_round.split_off(in_round.len().min(seats));
		(in_round, replacements)
	}

	/// A drawn assignee declined: its seat is drawn again `DrawDelay` blocks from `now`, with
	/// every other seat still to replace (the job's one agenda entry moves there; the round's
	/// commit window waits for it).
	pub(crate) fn schedule_replacement(id: JobId, now: BlockNumberFor<T>) -> DispatchResult {
		Self::unschedule(id);
		Self::schedule(id, now.saturating_add(T::DrawDelay::get())).map(|_| ())
	}

	/// How long a replacement is given to commit from its draw: what the job's work needs on
	/// the slowest accepted device, not the requester's whole window, since every block the
	/// round's window stretches holds the slots of the assignees that committed early (NM3).
	fn replacement_window(job: &JobInfoOf<T>) -> BlockNumberFor<T> {
		kernel::validate_params(job.spec.kernel, &job.spec.params)
			.map_or(job.spec.commit_window, |shape| {
				Self::min_commit_window(&shape, job.spec.input.remote_bytes()).into()
			})
	}

	/// Draws the seats of the current round still to replace. On success the round commits
	/// until the replacements' window ends at the earliest (every assignee waits for them).
	/// Otherwise the draw is tried again at growing intervals (`queue.rs`, counted from the
	/// start of the commit window), with the reveals still closed, until `AssignmentTimeout`
	/// after the commit window (so a decline in the window's last blocks, when the market is
	/// busy, still gets its seat filled); after that the round goes on with the seats empty.
	/// These attempts cost the requester nothing: the decliner's `DeclineFee` caused them.
	pub(crate) fn try_replace(
		id: JobId,
		job: &mut JobInfoOf<T>,
		now: BlockNumberFor<T>,
		until: BlockNumberFor<T>,
	) {
		let seats = Self::seats_to_replace(job);
		match Self::draw(id, job, seats) {
			Ok(Some(providers)) => {
				let commit_until = until.max(now.saturating_add(Self::replacement_window(job)));
				Self::start_commits(id, job, &providers, commit_until);
				Self::deposit_event(Event::Replaced {
					job: id,
					round: job.round,
					providers,
					commit_until,
				});
			}
			// No VRF output yet (cannot happen once a job was drawn): try next block.
			Ok(None) => Self::schedule_or_report(id, now.saturating_add(One::one())),
			Err(_) if now >= until.saturating_add(T::AssignmentTimeout::get()) => {
				job.unassigned = None;
				Self::close_commits(id, job, now);
			}
			Err(reason) => {
				let since = until.saturating_sub(job.spec.commit_window);
				let deadline = until.saturating_add(T::AssignmentTimeout::get());
				let retry = Self::next_attempt(now, since, deadline);
				Self::defer(id, job, reason, Zero::zero(), retry);
			}
		}
	}
}
