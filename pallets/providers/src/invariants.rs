//! The pallet's invariants, checked by `try_state` and by every test (`run_test`).

use crate::pallet::*;
use frame_support::{ensure, traits::fungible::InspectHold};

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants:
	/// - the stake held from every provider equals the stake on its record;
	/// - a provider has an entry in the list of each kernel it lists exactly when a draw may
	///   see it, with the `until` its record implies (`Self::listing_of`), except that a
	///   dead entry may have been dropped already and a closed one may stay;
	/// - every entry is of a registered provider that lists the kernel, once per list;
	/// - a record's history holds at most one entry a block, oldest first.
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
