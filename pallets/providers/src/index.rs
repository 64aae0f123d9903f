//! The kernel index: for each kernel, the providers a draw may see, each with the block until
//! which it is seen (`Listing::until`), bounded by `MaxProvidersPerKernel`.

use crate::{pallet::*, types::*, view::DRAW_LOOKBACK};
use alloc::vec::Vec;
use concord_primitives::kernel::KernelId;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// Puts `who` in the list of every kernel in `kernels`, seen `until` then (see
	/// [`Listing::until`]). A full list first drops the entries no draw can see any more (dead
	/// since before the draw lookback), so only providers a draw may still see count against
	/// `MaxProvidersPerKernel`. Fails without writing if a list is full of visible ones.
	pub(crate) fn index_put(
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
	pub(crate) fn index_close(who: &T::AccountId, kernels: &[KernelId]) {
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
	pub(crate) fn index_remove(who: &T::AccountId, kernels: &[KernelId]) {
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
}
