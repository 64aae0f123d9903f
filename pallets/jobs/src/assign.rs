//! Assignment: which providers may take a job, why none may, and the random draw among them.
//!
//! A draw is fair only if nobody who can change its inputs knows its randomness: the job and
//! its round are fixed `DrawDelay` blocks before the draw, the pool reads providers' terms as
//! they were the registry's `ActivationDelay` (at least `DrawDelay`) blocks before, and the
//! seed folds the VRF output of every block in between ([`RandomnessMix`]). The pool must hold
//! `PoolFactor` times the providers drawn, so price admits providers but never picks them.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use concord_primitives::{
	kernel::{self, KernelId},
	market::{sampling, weight::assignment_weight},
};
use frame_support::{
	pallet_prelude::Weight,
	traits::{Get, Randomness},
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_providers::ProviderRegistry;
use sp_core::H256;
use sp_runtime::traits::{One, SaturatedConversion, Saturating};

/// What the random seed of an assignment is derived from, besides the VRF output.
const RANDOMNESS_SUBJECT: &[u8] = b"concord/jobs/assign";

/// What a draw needs to know of a job's round.
pub(crate) struct Round<'a, AccountId, Balance> {
	pub kernel: KernelId,
	pub memory_mib: u32,
	pub work_units: u64,
	pub reward: Balance,
	pub wanted: u32,
	pub requester: &'a AccountId,
	pub assigned: &'a [Assignment<AccountId>],
}

impl<T: Config> Pallet<T> {
	/// How many providers the job's current round needs.
	pub(crate) fn wanted(job: &JobInfoOf<T>) -> u32 {
		if job.round == 0 {
			job.spec.replicas
		} else {
			T::EscalationReplicas::get()
		}
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
			wanted: Self::wanted(job),
			requester: &job.requester,
			assigned: &job.assignees,
		}
	}

	/// A provider's cost for a job of `work_units`: its price times the work units.
	pub(crate) fn cost(candidate: &CandidateOf<T>, work_units: u64) -> BalanceOf<T> {
		candidate.price_per_work_unit.saturating_mul(work_units.saturated_into())
	}

	/// The pool a round is drawn from, or why it is too small: online, listing the kernel,
	/// with enough memory and a free slot, not the requester, not already assigned to the
	/// job, and asking at most the reward; at least `PoolFactor` times the providers wanted.
	pub(crate) fn eligible(
		round: &Round<'_, T::AccountId, BalanceOf<T>>,
	) -> Result<Vec<CandidateOf<T>>, NoAssignmentOf<T>> {
		let needed = Self::pool_needed(round.wanted);
		let free = Self::available(round.kernel, round.memory_mib, needed, |account| {
			account == round.requester || round.assigned.iter().any(|a| a.provider == *account)
		})?;
		let (work_units, reward) = (round.work_units, round.reward);
		let affordable = free.iter().filter(|c| Self::cost(c, work_units) <= reward).count();
		if (affordable as u32) < needed {
			// Only now sort every cost, to tell the requester what would have been enough.
			let min_reward = Self::min_reward(&free, work_units, needed);
			return Err(NoAssignment::PriceTooLow { min_reward });
		}
		Ok(free.into_iter().filter(|c| Self::cost(c, work_units) <= reward).collect())
	}

	/// The providers of `kernel` with `memory_mib` and a free slot, less the `excluded`, if
	/// there are at least `needed` of them; otherwise why not.
	pub(crate) fn available(
		kernel: KernelId,
		memory_mib: u32,
		needed: u32,
		excluded: impl Fn(&T::AccountId) -> bool,
	) -> Result<Vec<CandidateOf<T>>, NoAssignmentOf<T>> {
		let (candidates, shortfall) = T::Providers::candidates(kernel, memory_mib);
		if shortfall.listed == 0 {
			return Err(NoAssignment::NoProviderSupportsKernel);
		}
		let free: Vec<_> = candidates.into_iter().filter(|c| !excluded(&c.account)).collect();
		if (free.len() as u32) < needed {
			let could_free = (free.len() as u32).saturating_add(shortfall.at_capacity);
			return Err(if could_free >= needed {
				NoAssignment::AllAtCapacity {
					listed: shortfall.listed,
					at_capacity: shortfall.at_capacity,
					needed,
				}
			} else {
				NoAssignment::PoolTooSmall { eligible: free.len() as u32, needed }
			});
		}
		Ok(free)
	}

	/// The least reward per replica that `needed` of `free` accept: the `needed`-th lowest
	/// cost. `free` holds at least `needed` providers (see [`Self::available`]).
	pub(crate) fn min_reward(
		free: &[CandidateOf<T>],
		work_units: u64,
		needed: u32,
	) -> BalanceOf<T> {
		let mut costs: Vec<BalanceOf<T>> = free.iter().map(|c| Self::cost(c, work_units)).collect();
		costs.sort();
		costs.get((needed as usize).saturating_sub(1)).copied().unwrap_or_default()
	}

	/// Tries to assign the job's current round. On success the job commits until
	/// `now + commit_window`; otherwise it is tried again after `RetryInterval`, or fails if
	/// its assignment deadline `until` has come.
	pub(crate) fn try_assign(
		id: JobId,
		job: &mut JobInfoOf<T>,
		now: BlockNumberFor<T>,
		until: BlockNumberFor<T>,
	) {
		match Self::draw(id, job) {
			Ok(Some(providers)) => {
				let commit_until = now.saturating_add(job.spec.commit_window);
				for provider in &providers {
					// `MaxAssignees` covers every round (`integrity_test`), and a failure
					// here would leak the slot `draw` took.
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
				job.phase = Phase::Committing { until: commit_until };
				job.unassigned = None;
				Self::schedule_or_report(id, commit_until.saturating_add(One::one()));
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
				job.unassigned = Some(reason.clone());
				let retry = now.saturating_add(T::RetryInterval::get()).min(until);
				Self::schedule_or_report(id, retry);
				Self::deposit_event(Event::AssignmentDeferred { job: id, reason });
			}
		}
	}

	/// Draws the providers of the job's current round and takes a job slot of each.
	/// `Ok(None)` when there is no randomness yet.
	fn draw(id: JobId, job: &JobInfoOf<T>) -> Result<Option<Vec<T::AccountId>>, NoAssignmentOf<T>> {
		let round = Self::round_of(job);
		let eligible = Self::eligible(&round)?;
		let Some(mix) = RandomnessMix::<T>::get() else { return Ok(None) };
		let seed = sp_crypto_hashing::blake2_256(&(mix, id, job.round).encode());
		let weights: Vec<u128> = eligible
			.iter()
			.map(|c| assignment_weight(c.stake.saturated_into(), c.agreed, c.deviated, c.no_shows))
			.collect();
		let too_small = || NoAssignment::PoolTooSmall {
			eligible: eligible.len() as u32,
			needed: Self::pool_needed(round.wanted),
		};
		let picked =
			sampling::sample_weighted(&weights, round.wanted, &seed).map_err(|_| too_small())?;
		let providers: Vec<T::AccountId> =
			picked.into_iter().map(|i| eligible[i as usize].account.clone()).collect();
		let kernel = job.spec.kernel;
		frame_support::storage::with_storage_layer(|| {
			providers.iter().try_for_each(|provider| T::Providers::begin_job(provider, kernel))
		})
		.map_err(|_| too_small())?;
		Ok(Some(providers))
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
