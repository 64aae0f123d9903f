//! Assignment: which providers may take a job, why none may, and the random draw among them.
//!
//! A draw is fair only if nobody who can change its inputs knows its randomness: the job and
//! its round are fixed `DrawDelay` blocks before the draw, the pool is the registry as it stood
//! at the end of the block `DrawDelay` blocks before (membership, weights, free slots,
//! reputation and stake; `pallet_providers::view`), and the seed folds the VRF output of every
//! block in between ([`RandomnessMix`]). A pick whose free slots in that view were taken since
//! by jobs drawn in between (fixed before the seed was known) is passed over for the next of
//! the same weighted order; slots freed since never count. The pool must hold `PoolFactor`
//! times the providers drawn and half the weight of every provider that could take the job
//! but for price and free slots, and half of that weight beyond the heaviest (those the first
//! draws may take), so a price admits providers but never picks them.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use concord_primitives::{
	kernel::{self, KernelId},
	market::{
		admission::{self, Tally, Weighed},
		panel::Panel,
		sampling,
		weight::assignment_weight,
	},
};
use frame_support::{
	pallet_prelude::Weight,
	traits::{Get, Randomness},
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_providers::ProviderRegistry;
use sp_core::H256;
use sp_runtime::traits::{One, SaturatedConversion, Saturating, Zero};

/// What the random seed of an assignment is derived from, besides the VRF output.
const RANDOMNESS_SUBJECT: &[u8] = b"concord/jobs/assign";

/// What a draw needs to know of a job's round.
pub(crate) struct Round<'a, AccountId, Balance> {
	pub kernel: KernelId,
	pub memory_mib: u32,
	pub work_units: u64,
	pub reward: Balance,
	pub wanted: u32,
	/// Not drawn for its own job; `None` for a quote, which has no requester.
	pub requester: Option<&'a AccountId>,
	pub assigned: &'a [Assignment<AccountId>],
}

impl<'a, AccountId, Balance> Round<'a, AccountId, Balance> {
	/// The first round of a job of `shape` on `replicas` providers at `reward`, as `submit`
	/// checks it and the quote prices it.
	pub(crate) fn first(
		shape: &kernel::KernelShape,
		replicas: u32,
		reward: Balance,
		requester: Option<&'a AccountId>,
	) -> Self {
		Round {
			kernel: shape.kernel(),
			memory_mib: shape.memory_mib_needed(),
			work_units: shape.work_units(),
			reward,
			wanted: replicas,
			requester,
			assigned: &[],
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The seats the job's current round draws and the matching reveals that decide it: the
	/// requester's replicas and quorum in round 0, the panel's in an escalation.
	pub(crate) fn current_shape(job: &JobInfoOf<T>) -> Panel {
		Self::shape_of_round(job, job.round)
	}

	/// The seats and quorum of the job's `round`: the requester's in round 0, the panel's in
	/// an escalation.
	pub(crate) fn shape_of_round(job: &JobInfoOf<T>, round: u8) -> Panel {
		job.spec.shape_of_round(round)
	}

	/// The pool a draw of `wanted` providers needs.
	pub(crate) fn pool_needed(wanted: u32) -> u32 {
		wanted.saturating_mul(T::PoolFactor::get())
	}

	/// Device memory a job of `kernel` with `params` needs, in MiB (stored params are valid;
	/// anything else needs more than any device).
	fn memory_needed(kernel: KernelId, params: &[u32]) -> u32 {
		kernel::validate_params(kernel, params).map_or(u32::MAX, |shape| shape.memory_mib_needed())
	}

	/// What the draw of the job's current round needs to know.
	pub(crate) fn round_of(job: &JobInfoOf<T>) -> Round<'_, T::AccountId, BalanceOf<T>> {
		Round {
			kernel: job.spec.kernel,
			memory_mib: Self::memory_needed(job.spec.kernel, &job.spec.params),
			work_units: job.spec.work_units,
			reward: job.spec.reward,
			wanted: Self::current_shape(job).seats,
			requester: Some(&job.requester),
			assigned: &job.assignees,
		}
	}

	/// A provider's cost for a job of `work_units`: its price times the work units.
	pub(crate) fn cost(candidate: &CandidateOf<T>, work_units: u64) -> BalanceOf<T> {
		candidate.price_per_work_unit.saturating_mul(work_units.saturated_into())
	}

	/// Why the round would find no pool now, if it would not (see [`Market::check`]).
	pub(crate) fn check_assignable(
		round: &Round<'_, T::AccountId, BalanceOf<T>>,
	) -> Result<(), NoAssignmentOf<T>> {
		Market::<T>::of(round, frame_system::Pallet::<T>::block_number())?.check(
			Self::pool_needed(round.wanted),
			round.work_units,
			round.reward,
		)
	}

	/// The pool a round is drawn from, with each member's weight, as the registry stood at
	/// the end of block `as_of`, or why there is none (see [`Market::pool`]).
	pub(crate) fn eligible(
		round: &Round<'_, T::AccountId, BalanceOf<T>>,
		as_of: BlockNumberFor<T>,
	) -> Result<Vec<(CandidateOf<T>, u128)>, NoAssignmentOf<T>> {
		Market::<T>::of(round, as_of)?.pool(
			Self::pool_needed(round.wanted),
			round.work_units,
			round.reward,
		)
	}

	/// Tries to assign the job's current round. On success the job commits until
	/// `now + commit_window`; otherwise it pays `RetryFee` and is tried again later (see
	/// [`Self::next_attempt`]), or fails if its assignment deadline `until` has come.
	pub(crate) fn try_assign(
		id: JobId,
		job: &mut JobInfoOf<T>,
		now: BlockNumberFor<T>,
		until: BlockNumberFor<T>,
	) {
		match Self::draw(id, job, Self::current_shape(job).seats) {
			Ok(Some(providers)) => {
				let commit_until = now.saturating_add(job.spec.commit_window);
				Self::leave_queue(job.spec.kernel);
				Self::start_commits(id, job, &providers, commit_until);
				Self::deposit_event(Event::Assigned {
					job: id,
					round: job.round,
					providers,
					commit_until,
				});
			}
			// No VRF output yet (the chain's first blocks): try next block.
			Ok(None) => Self::schedule_or_report(id, now.saturating_add(One::one())),
			Err(reason) if now >= until => {
				Self::fail(id, job, FailReason::Unassigned(reason));
			}
			Err(reason) => {
				// `submit` paid for its job's first attempt.
				let first = job.round == 0 && job.unassigned.is_none();
				let fee = if first { Zero::zero() } else { Self::charge_retry(job) };
				let retry = Self::next_attempt(now, Self::queued_since(until), until);
				Self::defer(id, job, reason, fee, retry);
			}
		}
	}

	/// The round's drawn `providers` join the job, which commits until `commit_until`: the
	/// end of a round's draw, or of its replacements' (the caller announces which).
	pub(crate) fn start_commits(
		id: JobId,
		job: &mut JobInfoOf<T>,
		providers: &[T::AccountId],
		commit_until: BlockNumberFor<T>,
	) {
		Self::push_assignees(job, providers);
		job.phase = Phase::Committing { until: commit_until };
		job.unassigned = None;
		Self::schedule_or_report(id, commit_until.saturating_add(One::one()));
	}

	/// A draw found no pool, for `reason`, having paid `fee`: it is tried again at block `at`,
	/// and the API says why it waits meanwhile.
	pub(crate) fn defer(
		id: JobId,
		job: &mut JobInfoOf<T>,
		reason: NoAssignmentOf<T>,
		fee: BalanceOf<T>,
		at: BlockNumberFor<T>,
	) {
		job.unassigned = Some(reason.clone());
		Self::schedule_or_report(id, at);
		Self::deposit_event(Event::AssignmentDeferred { job: id, reason, fee });
	}

	/// Adds `providers` to the job's current round, in the order they were drawn.
	pub(crate) fn push_assignees(job: &mut JobInfoOf<T>, providers: &[T::AccountId]) {
		for provider in providers {
			// `MaxAssignees` covers every round and its replacements (`integrity_test`), and a
			// failure here would leak the slot `draw` took.
			let pushed = job.assignees.try_push(Assignment {
				provider: provider.clone(),
				round: job.round,
				commitment: None,
				revealed: None,
				declined: false,
				outcome: None,
			});
			if pushed.is_err() {
				frame_support::defensive!("more assignees than MaxAssignees");
			}
		}
	}

	/// Draws `wanted` providers for the job's current round (its seats, or the seats to
	/// replace) from the registry as it stood `DrawDelay` blocks ago and takes a job slot of
	/// each. A pick whose free slots in that view were all taken since, by jobs drawn in
	/// between, is passed over for the next of the same weighted order, up to the pool's
	/// required size (`PoolFactor` picks per provider wanted) in all. `Ok(None)` when there is
	/// no randomness yet.
	pub(crate) fn draw(
		id: JobId,
		job: &JobInfoOf<T>,
		wanted: u32,
	) -> Result<Option<Vec<T::AccountId>>, NoAssignmentOf<T>> {
		let round = Round { wanted, ..Self::round_of(job) };
		let now = frame_system::Pallet::<T>::block_number();
		let as_of = now.saturating_sub(T::DrawDelay::get());
		let eligible = Self::eligible(&round, as_of)?;
		let Some(mix) = RandomnessMix::<T>::get() else { return Ok(None) };
		// A replacement draw names how many of the round are drawn already, so that it never
		// repeats the round's first draw (nor an earlier replacement's).
		let in_round = Self::current_round(job).count() as u32;
		let seed = if in_round == 0 {
			sp_crypto_hashing::blake2_256(&(mix, id, job.round).encode())
		} else {
			sp_crypto_hashing::blake2_256(&(mix, id, job.round, in_round).encode())
		};
		let weights: Vec<u128> = eligible.iter().map(|(_, weight)| *weight).collect();
		let needed = Self::pool_needed(round.wanted);
		let too_small = || NoAssignment::PoolTooSmall { eligible: eligible.len() as u32, needed };
		let order = sampling::weighted_order(&weights, &seed).map_err(|_| too_small())?;
		let kernel = job.spec.kernel;
		frame_support::storage::with_storage_layer(|| {
			let mut providers = Vec::with_capacity(round.wanted as usize);
			for index in order.take(needed as usize) {
				let provider = &eligible[index as usize].0.account;
				// Refused without a write when its slots were taken since the view.
				if T::Providers::begin_job(provider, kernel, as_of).is_ok() {
					providers.push(provider.clone());
					if providers.len() as u32 == round.wanted {
						return Ok(providers);
					}
				}
			}
			// Undoes the slots taken so far; the round is tried again later.
			Err(sp_runtime::DispatchError::Other("too few picks can take the job"))
		})
		.map(Some)
		.map_err(|_| too_small())
	}

	/// Folds the parent block's VRF output into [`RandomnessMix`]; returns the weight used.
	pub(crate) fn fold_randomness() -> Weight {
		let (random, _) = T::Randomness::random(RANDOMNESS_SUBJECT);
		let Some(random) = random else { return T::DbWeight::get().reads(1) };
		let previous = RandomnessMix::<T>::get().unwrap_or_default();
		let mixed = H256(sp_crypto_hashing::blake2_256(&(previous, random).encode()));
		RandomnessMix::<T>::put(mixed);
		T::DbWeight::get().reads_writes(2, 1)
	}
}

/// The providers a round could be drawn from but for their price and their free slots
/// (online, listing the kernel, with the memory, neither the requester nor already on the
/// job), each with its assignment weight; their total is the live weight that an admitted
/// pool holds half of, and half of it beyond the heaviest
/// (`concord_primitives::market::admission`).
pub(crate) struct Market<T: Config> {
	pub members: Vec<(CandidateOf<T>, u128)>,
	/// The members' weight, and their weight beyond the heaviest `seats - 1`.
	pub live: Weighed,
	/// The seats the round draws, whose first draws may take the heaviest members.
	seats: u32,
	/// Online providers listing the kernel, and how many of them are full (for reports).
	listed: u32,
	at_capacity: u32,
}

impl<T: Config> Market<T> {
	/// The pool of `needed` at `reward` for jobs of `work_units`, with each member's weight,
	/// or why there is none (see [`Self::check`]): the members that have a free slot and ask
	/// at most the reward.
	pub(crate) fn pool(
		&self,
		needed: u32,
		work_units: u64,
		reward: BalanceOf<T>,
	) -> Result<Vec<(CandidateOf<T>, u128)>, NoAssignmentOf<T>> {
		self.check(needed, work_units, reward)?;
		let in_pool = self
			.members
			.iter()
			.filter(|(c, _)| c.has_room && Pallet::<T>::cost(c, work_units) <= reward);
		Ok(in_pool.cloned().collect())
	}

	/// Whether there is a pool of `needed` at `reward` for jobs of `work_units`, or why not:
	/// the members that have a free slot and ask at most the reward must be `needed` and hold
	/// at least half the live weight, and half of it beyond the heaviest. The reasons come in the order a requester can act on
	/// them.
	pub(crate) fn check(
		&self,
		needed: u32,
		work_units: u64,
		reward: BalanceOf<T>,
	) -> Result<(), NoAssignmentOf<T>> {
		if (self.members.len() as u32) < needed {
			let eligible = self.members.len() as u32;
			return Err(NoAssignment::PoolTooSmall { eligible, needed });
		}
		let affordable = |c: &CandidateOf<T>| Pallet::<T>::cost(c, work_units) <= reward;
		// The price is checked against every member, busy or not: a reward no pool accepts is
		// refused now, not after waiting for slots that would not help.
		if !self.admits(needed, affordable) {
			let min_reward = self.min_reward(needed, work_units, |_| true).unwrap_or_default();
			return Err(NoAssignment::PriceTooLow { min_reward });
		}
		if !self.admits(needed, |c| c.has_room && affordable(c)) {
			let (listed, at_capacity) = (self.listed, self.at_capacity);
			return Err(NoAssignment::AllAtCapacity { listed, at_capacity, needed });
		}
		Ok(())
	}

	/// The market of `round` as the registry stood at the end of block `as_of`, or
	/// [`NoAssignment::NoProviderSupportsKernel`].
	pub(crate) fn of(
		round: &Round<'_, T::AccountId, BalanceOf<T>>,
		as_of: BlockNumberFor<T>,
	) -> Result<Self, NoAssignmentOf<T>> {
		let (candidates, shortfall) =
			T::Providers::candidates(round.kernel, round.memory_mib, as_of);
		if shortfall.listed == 0 {
			return Err(NoAssignment::NoProviderSupportsKernel);
		}
		let excluded = |account: &T::AccountId| {
			round.requester == Some(account)
				|| round.assigned.iter().any(|a| a.provider == *account)
		};
		let members: Vec<(CandidateOf<T>, u128)> = candidates
			.into_iter()
			.filter(|c| !excluded(&c.account))
			.map(|c| {
				let weight =
					assignment_weight(c.stake.saturated_into(), c.agreed, c.deviated, c.no_shows);
				(c, weight)
			})
			.collect();
		let live = Tally::of(round.wanted, members.iter().map(|(_, w)| *w));
		Ok(Self {
			members,
			live,
			seats: round.wanted,
			listed: shortfall.listed,
			at_capacity: shortfall.at_capacity,
		})
	}

	/// Whether the members that `keep` would be an admitted pool: at least `needed` of them,
	/// holding at least half the live weight, and half of it beyond the heaviest.
	pub(crate) fn admits(&self, needed: u32, keep: impl Fn(&CandidateOf<T>) -> bool) -> bool {
		let mut pool = Tally::new(self.seats);
		let mut count = 0u32;
		for (_, weight) in self.members.iter().filter(|(c, _)| keep(c)) {
			pool.add(*weight);
			count = count.saturating_add(1);
		}
		count >= needed && admission::admits(pool.weighed(), self.live)
	}

	/// How many of the members `keep` holds, and their weight.
	pub(crate) fn weigh(&self, keep: impl Fn(&CandidateOf<T>) -> bool) -> (u32, u128) {
		self.members.iter().filter(|(c, _)| keep(c)).fold((0, 0), |(count, total), (_, w)| {
			(count.saturating_add(1), total.saturating_add(*w))
		})
	}

	/// The least reward per replica at which the members that `keep` would be an admitted
	/// pool of `needed` (at least 1, since the chain refuses a zero reward), or `None` when
	/// not even all of them would be.
	pub(crate) fn min_reward(
		&self,
		needed: u32,
		work_units: u64,
		keep: impl Fn(&CandidateOf<T>) -> bool,
	) -> Option<BalanceOf<T>> {
		let mut costs: Vec<(BalanceOf<T>, u128)> = self
			.members
			.iter()
			.filter(|(c, _)| keep(c))
			.map(|(c, w)| (Pallet::<T>::cost(c, work_units), *w))
			.collect();
		costs.sort_unstable();
		let (mut count, mut pool) = (0u32, Tally::new(self.seats));
		for (index, (cost, w)) in costs.iter().enumerate() {
			count = count.saturating_add(1);
			pool.add(*w);
			// Providers asking the same are admitted together: decide after the last of them.
			let last_at_cost =
				costs.get(index.saturating_add(1)).is_none_or(|(next, _)| next > cost);
			if last_at_cost && count >= needed && admission::admits(pool.weighed(), self.live) {
				return Some((*cost).max(One::one()));
			}
		}
		None
	}
}
