//! The logic behind the calls. Each function checks the caller's input before it writes
//! anything; the one write that could still fail after that (a kernel list full of providers
//! a draw may still see) runs inside the call's storage transaction, so a refused call never
//! leaves a partial change.

use crate::{
	pallet::*,
	registry::*,
	types::*,
	view::{self, DRAW_LOOKBACK},
};
use alloc::vec::Vec;
use concord_primitives::kernel::KernelId;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register(
		who: T::AccountId,
		stake: BalanceOf<T>,
		capabilities: CapabilitiesInput,
		endpoint: Vec<u8>,
		price_per_work_unit: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(stake >= T::MinStake::get(), Error::<T>::StakeBelowMinimum);
		let capabilities = Self::checked_capabilities(capabilities)?;
		let endpoint = Self::checked_endpoint(endpoint)?;
		Self::ensure_can_hold(&who, stake)?;

		T::Currency::hold(&HoldReason::ProviderStake.into(), &who, stake)?;
		let now = frame_system::Pallet::<T>::block_number();
		let info = ProviderInfo {
			stake,
			capabilities,
			endpoint,
			price_per_work_unit,
			status: ProviderStatus::Online,
			active_jobs: 0,
			awaiting_verdicts: 0,
			jobs_begun: 0,
			reputation: Reputation::default(),
			registered_at: now,
			// Not assignable until the activation delay is over.
			prior_terms: Terms::default(),
			terms_changed_at: now,
			history: Default::default(),
		};
		Self::index_put(&who, &info.capabilities.kernels, None)?;
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::Registered { provider: who, stake });
		Ok(())
	}

	pub(crate) fn do_update(
		who: T::AccountId,
		capabilities: Option<CapabilitiesInput>,
		endpoint: Option<Vec<u8>>,
		price_per_work_unit: Option<BalanceOf<T>>,
	) -> DispatchResult {
		ensure!(
			capabilities.is_some() || endpoint.is_some() || price_per_work_unit.is_some(),
			Error::<T>::NothingToUpdate
		);
		let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		ensure!(!Self::is_unbonding(&info), Error::<T>::Unbonding);
		let capabilities = capabilities.map(Self::checked_capabilities).transpose()?;
		let endpoint = endpoint.map(Self::checked_endpoint).transpose()?;
		let now = frame_system::Pallet::<T>::block_number();
		// What a provider can run changes only once no draw can see it: offline, the delay
		// over, and no draw still reading a block from before.
		ensure!(
			capabilities.is_none() || Self::unseen_since_lookback(&info, now),
			Error::<T>::StillAssignable
		);
		if capabilities.is_some() || price_per_work_unit.is_some() {
			Self::begin_terms_change(&who, &mut info, now)?;
		}

		if let Some(capabilities) = capabilities {
			// The old kernels' entries are closed and no view can see them any more.
			Self::index_remove(&who, &info.capabilities.kernels);
			info.capabilities = capabilities;
		}
		if let Some(endpoint) = endpoint {
			info.endpoint = endpoint;
		}
		if let Some(price) = price_per_work_unit {
			info.price_per_work_unit = price;
		}
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::Updated { provider: who });
		Ok(())
	}

	pub(crate) fn do_bond_extra(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		ensure!(!Self::is_unbonding(&info), Error::<T>::Unbonding);
		Self::ensure_can_hold(&who, amount)?;

		T::Currency::hold(&HoldReason::ProviderStake.into(), &who, amount)?;
		Self::begin_terms_change(&who, &mut info, frame_system::Pallet::<T>::block_number())?;
		info.stake = info.stake.saturating_add(amount);
		let total = info.stake;
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::StakeBonded { provider: who, amount, total });
		Ok(())
	}

	pub(crate) fn do_go_offline(who: T::AccountId) -> DispatchResult {
		let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		match info.status {
			ProviderStatus::Online => {}
			ProviderStatus::Offline => return Err(Error::<T>::AlreadyOffline.into()),
			ProviderStatus::Unbonding { .. } => return Err(Error::<T>::Unbonding.into()),
		}
		Self::change_status(&who, &mut info, ProviderStatus::Offline)?;
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::WentOffline { provider: who, reason: OfflineReason::Requested });
		Ok(())
	}

	pub(crate) fn do_go_online(who: T::AccountId) -> DispatchResult {
		let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		match info.status {
			ProviderStatus::Offline => {}
			ProviderStatus::Online => return Err(Error::<T>::AlreadyOnline.into()),
			ProviderStatus::Unbonding { .. } => return Err(Error::<T>::Unbonding.into()),
		}
		ensure!(info.stake >= T::MinStake::get(), Error::<T>::StakeBelowMinimum);
		Self::change_status(&who, &mut info, ProviderStatus::Online)?;
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::WentOnline { provider: who });
		Ok(())
	}

	pub(crate) fn do_unregister(who: T::AccountId) -> DispatchResult {
		let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		ensure!(!Self::is_unbonding(&info), Error::<T>::Unbonding);
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		Self::change_status(&who, &mut info, ProviderStatus::Unbonding { unlock_at })?;
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::Unbonding { provider: who, unlock_at });
		Ok(())
	}

	pub(crate) fn do_withdraw(who: T::AccountId) -> DispatchResult {
		let info = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		let ProviderStatus::Unbonding { unlock_at } = info.status else {
			return Err(Error::<T>::NotUnbonding.into());
		};
		ensure!(
			frame_system::Pallet::<T>::block_number() >= unlock_at,
			Error::<T>::UnbondingNotOver
		);
		ensure!(info.active_jobs == 0 && info.awaiting_verdicts == 0, Error::<T>::JobsInProgress);

		let released = T::Currency::release(
			&HoldReason::ProviderStake.into(),
			&who,
			info.stake,
			Precision::BestEffort,
		)?;
		// Unbonding outlasts the activation delay by the draw lookback (`integrity_test`), so
		// no view can see the provider's entries any more, closed or not.
		Self::index_remove(&who, &info.capabilities.kernels);
		Providers::<T>::remove(&who);
		Self::deposit_event(Event::Withdrawn { provider: who, stake: released });
		Ok(())
	}

	/// The terms assignment uses for `info` at block `now`: its prior terms until the
	/// activation delay after its last change is over, then its own.
	pub(crate) fn terms_in_force(info: &ProviderInfoOf<T>, now: BlockNumberFor<T>) -> TermsOf<T> {
		Self::view_of(info, now).1
	}

	/// What a draw reading the registry as of the end of block `at` sees of `info` (see
	/// [`crate::view`]), and the terms in force for it then.
	fn view_of(info: &ProviderInfoOf<T>, at: BlockNumberFor<T>) -> (SeenOf<T>, TermsOf<T>) {
		let seen = view::seen_at(&info.history, info.seen(), &at);
		let terms = seen.terms_in_force(at, T::ActivationDelay::get());
		(seen, terms)
	}

	/// Whether no draw can see `info` online now or in any view it may still read (one of the
	/// last [`DRAW_LOOKBACK`] blocks), nor later: its own terms are offline, and so were the
	/// terms in force at each of those blocks.
	fn unseen_since_lookback(info: &ProviderInfoOf<T>, now: BlockNumberFor<T>) -> bool {
		if info.status == ProviderStatus::Online {
			return false;
		}
		let mut at = now.saturating_sub(DRAW_LOOKBACK.into());
		loop {
			if Self::view_of(info, at).1.online {
				return false;
			}
			if at >= now {
				return true;
			}
			at.saturating_inc();
		}
	}

	/// Call before changing anything a draw reads of `info` in block `now`, so that draws
	/// reading an earlier block still see it as it was (see [`crate::view`]).
	pub(crate) fn remember(info: &mut ProviderInfoOf<T>, now: BlockNumberFor<T>) {
		let seen = info.seen();
		view::remember(&mut info.history, seen, now);
	}

	/// Puts `who`'s own terms in force at once, as for a provider registered long before:
	/// genesis providers (nobody knew any randomness when the chain spec was written) and the
	/// benchmarks' registry.
	pub(crate) fn put_terms_in_force(who: &T::AccountId) {
		Providers::<T>::mutate(who, |info| {
			if let Some(info) = info {
				info.prior_terms = info.terms();
			}
		});
	}

	/// Call before changing anything [`Terms`] holds: what is in force now stays in force for
	/// the activation delay, and the change after it. A second change within the delay
	/// restarts it, so every terms that reach assignment were set at least the delay before.
	/// The kernel lists follow: a provider whose offline terms are now in force leaves them,
	/// and one still seen offline is seen until the new delay is over.
	pub(crate) fn begin_terms_change(
		who: &T::AccountId,
		info: &mut ProviderInfoOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		Self::remember(info, now);
		let before = Self::listing_of(info);
		info.prior_terms = Self::terms_in_force(info, now);
		info.terms_changed_at = now;
		Self::relist(who, &info.capabilities.kernels, before, Self::listing_of(info))
	}

	/// Moves `info` to `status` and keeps the kernel lists in step.
	fn change_status(
		who: &T::AccountId,
		info: &mut ProviderInfoOf<T>,
		status: ProviderStatus<BlockNumberFor<T>>,
	) -> DispatchResult {
		Self::begin_terms_change(who, info, frame_system::Pallet::<T>::block_number())?;
		let before = Self::listing_of(info);
		info.status = status;
		Self::relist(who, &info.capabilities.kernels, before, Self::listing_of(info))
	}

	/// Where `info` belongs in the lists of the kernels it lists: `None` for nowhere (no draw
	/// can see it), otherwise the [`Listing::until`] of its entries. An online provider is
	/// seen until it goes offline; an offline one whose online terms are in force, until its
	/// activation delay is over.
	pub(crate) fn listing_of(info: &ProviderInfoOf<T>) -> Option<Option<BlockNumberFor<T>>> {
		if info.status == ProviderStatus::Online {
			Some(None)
		} else if info.prior_terms.online {
			Some(Some(info.terms_changed_at.saturating_add(T::ActivationDelay::get())))
		} else {
			None
		}
	}

	/// Brings `who`'s entries in the lists of `kernels` from `before` to `after` (both from
	/// [`Self::listing_of`]). Writes nothing when they are equal. Leaving the lists closes
	/// the entries instead of removing them: a draw reading an earlier block may still see
	/// the provider.
	fn relist(
		who: &T::AccountId,
		kernels: &[KernelId],
		before: Option<Option<BlockNumberFor<T>>>,
		after: Option<Option<BlockNumberFor<T>>>,
	) -> DispatchResult {
		match after {
			_ if before == after => Ok(()),
			None => {
				Self::index_close(who, kernels);
				Ok(())
			}
			Some(until) => Self::index_put(who, kernels, until),
		}
	}

	/// Converts what a caller sent into the stored form, naming the first thing wrong with it.
	pub(crate) fn checked_capabilities(
		input: CapabilitiesInput,
	) -> Result<CapabilitiesOf<T>, Error<T>> {
		ensure!(!input.kernels.is_empty(), Error::<T>::NoKernels);
		ensure!(input.max_concurrent_jobs > 0, Error::<T>::ZeroConcurrency);
		let device_name =
			BoundedVec::try_from(input.device_name).map_err(|_| Error::<T>::DeviceNameTooLong)?;
		let kernels: BoundedVec<KernelId, MaxKernels> =
			BoundedVec::try_from(input.kernels).map_err(|_| Error::<T>::TooManyKernels)?;
		// At most `MaxKernels` entries: the pairwise check is bounded and small.
		for (i, kernel) in kernels.iter().enumerate() {
			ensure!(!kernels[..i].contains(kernel), Error::<T>::DuplicateKernel);
		}
		Ok(Capabilities {
			backend: input.backend,
			device_name,
			memory_mib: input.memory_mib,
			kernels,
			max_concurrent_jobs: input.max_concurrent_jobs,
		})
	}

	/// Checks that `endpoint` looks like a multiaddr and fits.
	pub(crate) fn checked_endpoint(
		endpoint: Vec<u8>,
	) -> Result<BoundedVec<u8, T::MaxEndpointLen>, Error<T>> {
		ensure!(!endpoint.is_empty(), Error::<T>::EndpointEmpty);
		let endpoint: BoundedVec<u8, T::MaxEndpointLen> =
			BoundedVec::try_from(endpoint).map_err(|_| Error::<T>::EndpointTooLong)?;
		ensure!(
			endpoint[0] == b'/' && endpoint.iter().all(|b| b.is_ascii_graphic()),
			Error::<T>::InvalidEndpoint
		);
		Ok(endpoint)
	}

	/// Fails with `InsufficientBalance` unless `who` can hold `amount` and stay alive.
	fn ensure_can_hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let free = T::Currency::reducible_balance(who, Preservation::Preserve, Fortitude::Polite);
		ensure!(free >= amount, Error::<T>::InsufficientBalance);
		Ok(())
	}

	fn is_unbonding(info: &ProviderInfoOf<T>) -> bool {
		matches!(info.status, ProviderStatus::Unbonding { .. })
	}

	/// Puts `who` in the list of every kernel in `kernels`, seen `until` then (see
	/// [`Listing::until`]). A full list first drops the entries no draw can see any more (dead
	/// since before the draw lookback), so only providers a draw may still see count against
	/// `MaxProvidersPerKernel`. Fails without writing if a list is full of visible ones.
	fn index_put(
		who: &T::AccountId,
		kernels: &[KernelId],
		until: Option<BlockNumberFor<T>>,
	) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		let mut lists = Vec::with_capacity(kernels.len());
		for kernel in kernels {
			let mut list = KernelProviders::<T>::get(kernel);
			if let Some(entry) = list.iter_mut().find(|entry| entry.provider == *who) {
				entry.until = until;
			} else {
				if list.is_full() {
					let oldest_view = now.saturating_sub(DRAW_LOOKBACK.into());
					list.retain(|entry| entry.is_live(&oldest_view));
				}
				list.try_push(Listing { provider: who.clone(), until })
					.map_err(|_| Error::<T>::TooManyProviders)?;
			}
			lists.push((*kernel, list));
		}
		for (kernel, list) in lists {
			KernelProviders::<T>::insert(kernel, list);
		}
		Ok(())
	}

	/// Ends `who`'s entries in the lists of `kernels` at this block, if they last longer: no
	/// draw from now on sees them, a draw reading an earlier block still does.
	fn index_close(who: &T::AccountId, kernels: &[KernelId]) {
		let now = frame_system::Pallet::<T>::block_number();
		for kernel in kernels {
			KernelProviders::<T>::mutate(kernel, |list| {
				for entry in list.iter_mut().filter(|entry| entry.provider == *who) {
					if entry.is_live(&now) {
						entry.until = Some(now);
					}
				}
			});
		}
	}

	/// Removes `who` from the list of every kernel in `kernels`.
	fn index_remove(who: &T::AccountId, kernels: &[KernelId]) {
		for kernel in kernels {
			KernelProviders::<T>::mutate_exists(kernel, |list| {
				if let Some(entries) = list {
					entries.retain(|entry| entry.provider != *who);
					if entries.is_empty() {
						*list = None;
					}
				}
			});
		}
	}

	/// Checks the pallet's invariants:
	/// - the stake held from every provider equals the stake on its record;
	/// - a provider has an entry in the list of each kernel it lists exactly when a draw may
	///   see it, with the `until` its record implies (`Self::listing_of`), except that a
	///   dead entry may have been dropped already and a closed one may stay;
	/// - every entry is of a registered provider that lists the kernel, once per list;
	/// - a record's history holds at most one entry a block, oldest first.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let reason: T::RuntimeHoldReason = HoldReason::ProviderStake.into();
		let now = frame_system::Pallet::<T>::block_number();
		let mut counted = 0u32;
		for (who, info) in Providers::<T>::iter() {
			counted = counted.saturating_add(1);
			ensure!(
				T::Currency::balance_on_hold(&reason, &who) == info.stake,
				"held balance differs from the recorded stake"
			);
			let listing = Self::listing_of(&info);
			for kernel in info.capabilities.kernels.iter() {
				let entry =
					KernelProviders::<T>::get(kernel).into_iter().find(|e| e.provider == who);
				let in_step = match (listing, entry) {
					(None, None) => true,
					(Some(until), Some(entry)) => entry.until == until,
					(Some(Some(until)), None) => now >= until,
					(None, Some(entry)) => !entry.is_live(&now),
					(Some(None), None) => false,
				};
				ensure!(in_step, "kernel index out of step with provider status");
			}
			ensure!(
				info.history.windows(2).all(|pair| pair[0].0 < pair[1].0),
				"a provider's draw history is out of order"
			);
		}
		ensure!(counted == Providers::<T>::count(), "provider counter is wrong");
		for (kernel, list) in KernelProviders::<T>::iter() {
			let mut seen = alloc::collections::BTreeSet::new();
			for entry in list.iter() {
				ensure!(seen.insert(&entry.provider), "a provider is listed twice");
				let info = Providers::<T>::get(&entry.provider)
					.ok_or("indexed provider is not registered")?;
				let listed = Self::listing_of(&info) == Some(entry.until) || !entry.is_live(&now);
				ensure!(
					listed && info.capabilities.supports(kernel),
					"indexed provider is unlisted or does not list the kernel"
				);
			}
		}
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// Takes up to `wanted` of `who`'s stake, to `beneficiary` or burnt, and takes the provider
	/// out of assignment at once if it falls under the minimum (a slash is not the provider's
	/// move, so it gets no notice period): no view of this block or later sees it, though a
	/// draw reading an earlier block still does, and may draw it.
	fn take_stake(
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
