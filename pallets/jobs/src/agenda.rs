//! The block-indexed agenda of deadlines, processed in `on_initialize` under a weight limit,
//! and the pruning of ended jobs in `on_idle`.
//!
//! Every open job has exactly one agenda entry: the block at which something is due for it
//! (an assignment attempt, a declined seat's draw, or the first block after a window).
//! [`OpenJobs`] records that block, so an entry is moved (not duplicated) when a phase ends
//! early. Entries never come due early: a full block spills them into the next ones, and a
//! block whose agenda did not fit in the weight limit is finished in the next block
//! ([`AgendaBacklog`]).

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{pallet_prelude::*, weights::WeightMeter};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};

impl<T: Config> Pallet<T> {
	/// Puts job `id` on the agenda of block `at`, or of the first block after it with room,
	/// and records where. Since every open job has one entry and open jobs are at most
	/// `MaxOpenJobs`, a slot is always found within `MaxOpenJobs / MaxAgendaPerBlock + 1`
	/// blocks; that is also how far this looks.
	pub(crate) fn schedule(
		id: JobId,
		at: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, DispatchError> {
		let mut block = at;
		for _ in 0..Self::agenda_span() {
			let placed = Agenda::<T>::mutate(block, |due| due.try_push(id).is_ok());
			if placed {
				OpenJobs::<T>::insert(id, block);
				return Ok(block);
			}
			block.saturating_inc();
		}
		Err(Error::<T>::AgendaFull.into())
	}

	/// Takes job `id` off the agenda (its entry is at the block [`OpenJobs`] records).
	pub(crate) fn unschedule(id: JobId) {
		if let Some(block) = OpenJobs::<T>::get(id) {
			Agenda::<T>::mutate_exists(block, |maybe_due| {
				if let Some(due) = maybe_due {
					due.retain(|other| *other != id);
					if due.is_empty() {
						*maybe_due = None;
					}
				}
			});
		}
	}

	/// How many blocks [`Self::schedule`] looks through.
	pub(crate) fn agenda_span() -> u32 {
		(T::MaxOpenJobs::get() / T::MaxAgendaPerBlock::get().max(1)).saturating_add(1)
	}

	/// Works through the agenda from the oldest unfinished block up to `now`, as far as the
	/// meter allows; the rest waits for the next block.
	pub(crate) fn process_agenda(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let per_block = Self::agenda_block_weight();
		let mut block = AgendaBacklog::<T>::take().map_or(now, |oldest| oldest.min(now));
		loop {
			if meter.try_consume(per_block).is_err() {
				AgendaBacklog::<T>::put(block);
				return;
			}
			let due = Agenda::<T>::take(block);
			for (done, id) in due.iter().enumerate() {
				// The read that prices the entry is charged before it is made, and charged
				// again if the entry then waits for the next block, since it is made again.
				let job = meter
					.try_consume(T::DbWeight::get().reads(1))
					.ok()
					.map(|()| Jobs::<T>::get(*id));
				let fits = job.as_ref().is_some_and(|job| {
					meter.try_consume(Self::agenda_entry_work(job.as_ref())).is_ok()
				});
				let Some(job) = job.filter(|_| fits) else {
					let rest: BoundedVec<JobId, T::MaxAgendaPerBlock> =
						BoundedVec::truncate_from(due[done..].to_vec());
					Agenda::<T>::insert(block, rest);
					AgendaBacklog::<T>::put(block);
					return;
				};
				// The entry is consumed; `process_due` either schedules the job anew (which
				// records the new block in `OpenJobs`) or ends it.
				Self::process_due(*id, job, now);
			}
			if block >= now {
				return;
			}
			block.saturating_inc();
		}
	}

	/// What looking at one block's agenda costs, besides its entries.
	pub(crate) fn agenda_block_weight() -> Weight {
		T::DbWeight::get().reads_writes(2, 2)
	}

	/// The most one agenda entry can cost: an assignment over the largest candidate list that
	/// finds too few at the deadline and then fails a job of the most assignees (the sum of
	/// both benchmarks bounds it), or a verdict over the most assignees.
	pub(crate) fn agenda_item_weight() -> Weight {
		Self::agenda_item_weight_for(T::MaxAssignees::get())
	}

	/// What job `id`'s agenda entry is charged, as [`Self::process_agenda`] charges it: as
	/// [`Self::agenda_item_weight`], for the assignees the job has now, and the read that finds
	/// out. No entry settles an assignee it drew (a draw, of a round or of its replacements,
	/// settles nobody), so a verdict of a default job's first round is charged over its 3
	/// assignees, not over the 96 a job of 16 replicas may reach.
	#[cfg(test)]
	pub(crate) fn agenda_item_weight_of(id: JobId) -> Weight {
		Self::agenda_entry_work(Jobs::<T>::get(id).as_ref())
			.saturating_add(T::DbWeight::get().reads(1))
	}

	/// An entry of a job of at most `assignees`, with the read of the job that finds out.
	pub(crate) fn agenda_item_weight_for(assignees: u32) -> Weight {
		Self::agenda_entry_work_for(assignees).saturating_add(T::DbWeight::get().reads(1))
	}

	/// What an entry of `job` costs once the job is read: the worst case for a job that is
	/// gone (it costs nothing then, but is not expected).
	fn agenda_entry_work(job: Option<&JobInfoOf<T>>) -> Weight {
		let assignees = job.map_or(T::MaxAssignees::get(), |job| {
			(job.assignees.len() as u32).clamp(1, T::MaxAssignees::get())
		});
		Self::agenda_entry_work_for(assignees)
	}

	/// What an entry of a job of at most `assignees` costs once the job is read.
	fn agenda_entry_work_for(assignees: u32) -> Weight {
		T::WeightInfo::process_assignment()
			.saturating_add(T::WeightInfo::process_verdict(assignees))
	}

	/// Does what is due for job `id`, read as `job`, at block `now`.
	fn process_due(id: JobId, job: Option<JobInfoOf<T>>, now: BlockNumberFor<T>) {
		let Some(mut job) = job else { return };
		match job.phase {
			Phase::Queued { until } => Self::try_assign(id, &mut job, now, until),
			Phase::Committing { until } if Self::seats_to_replace(&job) > 0 => {
				Self::try_replace(id, &mut job, now, until)
			}
			Phase::Committing { until } if now > until => Self::close_commits(id, &mut job, now),
			Phase::Revealing { until } if now > until => Self::conclude(id, &mut job, now),
			// Not due yet (cannot happen: entries never come due early); look again then.
			Phase::Committing { until } | Phase::Revealing { until } => {
				Self::schedule_or_report(id, until.saturating_add(One::one()));
				return;
			}
			Phase::Attested { .. } | Phase::Failed { .. } | Phase::Cancelled => return,
		}
		Jobs::<T>::insert(id, job);
	}

	/// Schedules from a hook, where a failure cannot be returned: it cannot happen while
	/// `MaxOpenJobs` bounds the agenda (see [`Self::schedule`]).
	pub(crate) fn schedule_or_report(id: JobId, at: BlockNumberFor<T>) {
		if Self::schedule(id, at).is_err() {
			frame_support::defensive!("no agenda slot for an open job");
		}
	}

	/// Removes ended jobs whose retention period is over, oldest first, as far as the meter
	/// allows.
	pub(crate) fn prune_ended(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let per_job = T::WeightInfo::prune_job();
		if meter.try_consume(T::DbWeight::get().reads(1)).is_err() {
			return;
		}
		let (mut head, tail) = EndedRange::<T>::get();
		let start = head;
		while head < tail && meter.can_consume(per_job) {
			let Some(id) = Ended::<T>::get(head) else {
				head.saturating_inc();
				continue;
			};
			let ended_at = Jobs::<T>::get(id).and_then(|job| job.ended_at);
			if ended_at.is_some_and(|at| at.saturating_add(T::Retention::get()) > now) {
				break;
			}
			meter.consume(per_job);
			Jobs::<T>::remove(id);
			Ended::<T>::remove(head);
			head.saturating_inc();
		}
		if head != start {
			EndedRange::<T>::put((head, tail));
		}
	}
}
