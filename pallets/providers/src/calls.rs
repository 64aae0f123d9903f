//! The logic behind the calls. Each function checks the caller's input before it writes
//! anything; the one write that could still fail after that (a kernel list full of providers
//! a draw may still see) runs inside the call's storage transaction, so a refused call never
//! leaves a partial change.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use concord_primitives::kernel::KernelId;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::{Saturating, Zero};

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
			concord_primitives::address::looks_like_multiaddrs(&endpoint),
			Error::<T>::InvalidEndpoint
		);
		Ok(endpoint)
	}

	/// Fails with `InsufficientBalance` unless `who` can hold `amount` and stay alive.
	pub(crate) fn ensure_can_hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(crate::can_hold::<_, T::Currency>(who, amount), Error::<T>::InsufficientBalance);
		Ok(())
	}

	pub(crate) fn is_unbonding(info: &ProviderInfoOf<T>) -> bool {
		matches!(info.status, ProviderStatus::Unbonding { .. })
	}
}
