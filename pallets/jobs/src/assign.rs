//! Assignment: which providers may take a job, why none may, and the random draw among them.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use concord_primitives::{
	kernel::KernelId,
	market::{sampling, weight::assignment_weight},
};
use frame_support::traits::{Get, Randomness};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_providers::ProviderRegistry;
use sp_runtime::traits::{One, SaturatedConversion, Saturating};

/// What the random seed of an assignment is derived from, besides the VRF output.
const RANDOMNESS_SUBJECT: &[u8] = b"concord/jobs/assign";

impl<T: Config> Pallet<T> {
	/// How many providers the job's current round needs.
	pub(crate) fn wanted(job: &JobInfoOf<T>) -> u32 {
		if job.round == 0 {
			job.spec.replicas
		} else {
			T::EscalationReplicas::get()
		}
	}

	/// A provider's cost for a job of `work_units`: its price times the work units.
	fn cost(candidate: &CandidateOf<T>, work_units: u64) -> BalanceOf<T> {
		candidate.price_per_work_unit.saturating_mul(work_units.saturated_into())
	}

	/// The providers that may take the job's current round now, or why too few may: online,
	/// listing the kernel, with a free slot, not the requester, not already assigned to the
	/// job, and asking at most the reward.
	pub(crate) fn eligible(job: &JobInfoOf<T>) -> Result<Vec<CandidateOf<T>>, NoAssignmentOf<T>> {
		let wanted = Self::wanted(job);
		let free = Self::available(job.spec.kernel, wanted, |account| {
			*account == job.requester || job.assignees.iter().any(|a| a.provider == *account)
		})?;
		let (work_units, reward) = (job.spec.work_units, job.spec.reward);
		let affordable = free.iter().filter(|c| Self::cost(c, work_units) <= reward).count();
		if (affordable as u32) < wanted {
			// Only now sort every cost, to tell the requester what would have been enough.
			let min_reward = Self::min_reward(&free, work_units, wanted);
			return Err(NoAssignment::PriceTooLow { min_reward });
		}
		Ok(free.into_iter().filter(|c| Self::cost(c, work_units) <= reward).collect())
	}

	/// The providers of `kernel` with a free slot, less the `excluded`, if there are at least
	/// `wanted` of them; otherwise why not.
	pub(crate) fn available(
		kernel: KernelId,
		wanted: u32,
		excluded: impl Fn(&T::AccountId) -> bool,
	) -> Result<Vec<CandidateOf<T>>, NoAssignmentOf<T>> {
		let (candidates, shortfall) = T::Providers::candidates(kernel);
		if shortfall.listed == 0 {
			return Err(NoAssignment::NoProviderSupportsKernel);
		}
		let free: Vec<_> = candidates.into_iter().filter(|c| !excluded(&c.account)).collect();
		if (free.len() as u32) < wanted {
			return Err(if shortfall.at_capacity > 0 {
				NoAssignment::AllAtCapacity {
					listed: shortfall.listed,
					at_capacity: shortfall.at_capacity,
					wanted,
				}
			} else {
				NoAssignment::TooFewEligible { eligible: free.len() as u32, wanted }
			});
		}
		Ok(free)
	}

	/// The least reward per replica that `wanted` of `free` accept: the `wanted`-th lowest
	/// cost. `free` holds at least `wanted` providers (see [`Self::available`]).
	pub(crate) fn min_reward(
		free: &[CandidateOf<T>],
		work_units: u64,
		wanted: u32,
	) -> BalanceOf<T> {
		let mut costs: Vec<BalanceOf<T>> = free.iter().map(|c| Self::cost(c, work_units)).collect();
		costs.sort();
		costs.get((wanted as usize).saturating_sub(1)).copied().unwrap_or_default()
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
					// `eligible` ensures there is room; the bound is `MaxAssignees`.
					let _ = job.assignees.try_push(Assignment {
						provider: provider.clone(),
						round: job.round,
						commitment: None,
						revealed: None,
						outcome: None,
					});
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
			// No VRF output yet (the chain's first block): try next block.
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
		let eligible = Self::eligible(job)?;
		let (random, _) = T::Randomness::random(RANDOMNESS_SUBJECT);
		let Some(random) = random else { return Ok(None) };
		let seed = sp_crypto_hashing::blake2_256(&(random, id, job.round).encode());
		let weights: Vec<u128> = eligible
			.iter()
			.map(|c| assignment_weight(c.stake.saturated_into(), c.agreed, c.deviated, c.no_shows))
			.collect();
		let wanted = Self::wanted(job);
		let picked = sampling::sample_weighted(&weights, wanted, &seed).map_err(|_| {
			NoAssignment::TooFewEligible { eligible: eligible.len() as u32, wanted }
		})?;
		let providers: Vec<T::AccountId> =
			picked.into_iter().map(|i| eligible[i as usize].account.clone()).collect();
		let kernel = job.spec.kernel;
		frame_support::storage::with_storage_layer(|| {
			providers.iter().try_for_each(|provider| T::Providers::begin_job(provider, kernel))
		})
		.map_err(|_| NoAssignment::TooFewEligible { eligible: eligible.len() as u32, wanted })?;
		Ok(Some(providers))
	}
}
