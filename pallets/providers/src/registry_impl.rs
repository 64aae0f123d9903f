//! The registry as the job pallets see it ([`crate::ProviderRegistry`]): candidates for a draw,
//! the slots of jobs in progress, slashes and fees taken from stakes.

use crate::{pallet::*, registry::*, types::*, view::DRAW_LOOKBACK};
use alloc::vec::Vec;
use concord_primitives::kernel::KernelId;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	/// Takes up to `wanted` of `who`'s stake, to `beneficiary` or burnt, and takes the provider
	/// out of assignment at once if it falls under the minimum (a slash is not the provider's
	/// move, so it gets no notice period): no view of this block or later sees it, though a
	/// draw reading an earlier block still does, and may draw it.
	pub(crate) fn take_stake(
		who: &T::AccountId,
		mut info: ProviderInfoOf<T>,
		wanted: BalanceOf<T>,
		beneficiary: Option<&T::AccountId>,
	) -> BalanceOf<T> {
		if wanted.is_zero() {
			return Zero::zero();
		}
		let reason = HoldReason::ProviderStake.into();
		let taken = match beneficiary {
			Some(dest) => T::Currency::transfer_on_hold(
				&reason,
				who,
				dest,
				wanted,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			),
			None => T::Currency::burn_held(
				&reason,
				who,
				wanted,
				Precision::BestEffort,
				Fortitude::Force,
			),
		}
		.unwrap_or_else(|_| Zero::zero());
		if taken.is_zero() {
			return taken;
		}
		Self::remember(&mut info, frame_system::Pallet::<T>::block_number());
		info.stake = info.stake.saturating_sub(taken);
		info.prior_terms.stake = info.prior_terms.stake.saturating_sub(taken);
		let fell_below = info.is_listed() && info.stake < T::MinStake::get();
		if fell_below {
			if info.status == ProviderStatus::Online {
				info.status = ProviderStatus::Offline;
			}
			info.prior_terms.online = false;
			Self::index_close(who, &info.capabilities.kernels);
		}
		Providers::<T>::insert(who, info);
		Self::deposit_event(Event::Slashed {
			provider: who.clone(),
			amount: taken,
			beneficiary: beneficiary.cloned(),
		});
		if fell_below {
			Self::deposit_event(Event::WentOffline {
				provider: who.clone(),
				reason: OfflineReason::StakeBelowMinimum,
			});
		}
		taken
	}
}

impl<T: Config> ProviderRegistry<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn candidates(
		kernel: KernelId,
		memory_mib: u32,
		as_of: BlockNumberFor<T>,
	) -> (Vec<Candidate<T::AccountId, BalanceOf<T>>>, Shortfall) {
		let listed = KernelProviders::<T>::get(kernel);
		let mut shortfall = Shortfall::default();
		let mut candidates = Vec::with_capacity(listed.len());
		for listing in listed {
			if !listing.is_live(&as_of) {
				continue;
			}
			let account = listing.provider;
			let Some(info) = Providers::<T>::get(&account) else { continue };
			let (seen, terms) = Self::view_of(&info, as_of);
			if !terms.online {
				continue;
			}
			shortfall.listed.saturating_inc();
			if seen.memory_mib < memory_mib {
				continue;
			}
			let has_room = seen.has_room();
			if !has_room {
				shortfall.at_capacity.saturating_inc();
			}
			candidates.push(Candidate {
				account,
				has_room,
				stake: terms.stake,
				price_per_work_unit: terms.price_per_work_unit,
				agreed: seen.reputation.agreed,
				deviated: seen.reputation.deviated,
				no_shows: seen.reputation.no_shows,
			});
		}
		(candidates, shortfall)
	}

	fn begin_job(who: &T::AccountId, kernel: KernelId, as_of: BlockNumberFor<T>) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		Providers::<T>::try_mutate(who, |maybe_info| {
			let info = maybe_info.as_mut().ok_or(Error::<T>::NotRegistered)?;
			let (seen, terms) = Self::view_of(info, as_of);
			let may_take = terms.online
				&& info.capabilities.supports(kernel)
				&& seen.has_room_after(info.jobs_begun);
			ensure!(may_take, Error::<T>::CannotTakeJob);
			Self::remember(info, now);
			info.active_jobs.saturating_inc();
			info.jobs_begun = info.jobs_begun.wrapping_add(1);
			Ok(())
		})
	}

	fn free_slot(who: &T::AccountId) {
		let now = frame_system::Pallet::<T>::block_number();
		Providers::<T>::mutate(who, |maybe_info| {
			if let Some(info) = maybe_info {
				// A draw reading an earlier block still sees the slot taken.
				Self::remember(info, now);
				info.active_jobs.saturating_dec();
				info.awaiting_verdicts.saturating_inc();
			}
		});
	}

	fn end_job(who: &T::AccountId, outcome: JobOutcome, slot: Slot) {
		let now = frame_system::Pallet::<T>::block_number();
		let recorded = Providers::<T>::mutate(who, |maybe_info| match maybe_info {
			Some(info) => {
				Self::remember(info, now);
				match slot {
					Slot::Held => info.active_jobs.saturating_dec(),
					Slot::Freed => info.awaiting_verdicts.saturating_dec(),
				}
				info.reputation.record(outcome);
				true
			}
			None => false,
		});
		if recorded {
			Self::deposit_event(Event::OutcomeRecorded { provider: who.clone(), outcome });
		}
	}

	#[cfg(any(feature = "try-runtime", feature = "std"))]
	fn check_slots(
		expected: &alloc::collections::BTreeMap<T::AccountId, (u32, u32)>,
	) -> Result<(), sp_runtime::TryRuntimeError> {
		let mut seen = 0usize;
		for (who, info) in Providers::<T>::iter() {
			let (held, awaiting) = match expected.get(&who) {
				Some(counts) => {
					seen = seen.saturating_add(1);
					*counts
				}
				None => (0, 0),
			};
			ensure!(info.active_jobs == held, "a provider's held slots differ from its open jobs");
			ensure!(
				info.awaiting_verdicts == awaiting,
				"a provider's awaited verdicts differ from its open jobs' earlier rounds"
			);
		}
		ensure!(seen == expected.len(), "an open job's assignee has no provider record");
		Ok(())
	}

	fn slash(
		who: &T::AccountId,
		fraction: Perbill,
		beneficiary: Option<&T::AccountId>,
	) -> BalanceOf<T> {
		let Some(info) = Providers::<T>::get(who) else { return Zero::zero() };
		let wanted = fraction.mul_floor(info.stake);
		Self::take_stake(who, info, wanted, beneficiary)
	}

	fn charge(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		let Some(info) = Providers::<T>::get(who) else { return Zero::zero() };
		Self::take_stake(who, info, amount, None)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn register_for_benchmarks(who: &T::AccountId, price: BalanceOf<T>) -> DispatchResult {
		use crate::benchmarking::{capabilities_taking, fund, max_endpoint};
		fund::<T>(who);
		let capabilities = capabilities_taking::<T>(u32::MAX);
		Self::do_register(
			who.clone(),
			T::MinStake::get(),
			capabilities,
			max_endpoint::<T>(),
			price,
		)?;
		Self::put_terms_in_force(who);
		// The longest record a draw reads: a full history (as full as the blocks so far allow;
		// the job benchmarks start at block `DRAW_LOOKBACK`), all of it the record as it is.
		Providers::<T>::mutate(who, |info| {
			if let Some(info) = info {
				let now = frame_system::Pallet::<T>::block_number();
				let seen = info.seen();
				let mut history = Vec::new();
				for back in (0..DRAW_LOOKBACK).rev() {
					let block = now.saturating_sub(back.into());
					if history.last().is_none_or(|(last, _)| *last < block) {
						history.push((block, seen.clone()));
					}
				}
				info.history = BoundedVec::truncate_from(history);
			}
		});
		Ok(())
	}
}
