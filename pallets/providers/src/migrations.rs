//! Storage migrations of the provider registry, one module per version.

/// Version 3: each entry of a kernel's list carries the block from which no draw can see its
/// provider ([`crate::Listing::until`]), so that providers that left stop counting against
/// `MaxProvidersPerKernel`. Version 2 stored accounts only.
pub mod v3 {
	use crate::{pallet::*, Listing};
	use alloc::vec::Vec;
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use sp_runtime::Saturating;

	/// A kernel's list as version 2 stored it.
	pub type OldList<T> =
		BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxProvidersPerKernel>;

	/// Rewrites every kernel's list with each provider's `until`, read from its record. A
	/// version-2 list held exactly the providers [`Pallet::listing_of`] places in it; an entry
	/// without a record (which version 2 never wrote) is dropped.
	pub struct MigrateListings<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for MigrateListings<T> {
		fn on_runtime_upgrade() -> Weight {
			// One read and one write per list, and one read per listed provider: at most
			// `MaxProvidersPerKernel` for each kernel of the protocol.
			let mut reads = 0u64;
			let mut lists = 0u64;
			KernelProviders::<T>::translate::<OldList<T>, _>(|_kernel, accounts| {
				lists.saturating_inc();
				let entries: Vec<ListingOf<T>> = accounts
					.into_iter()
					.filter_map(|provider| {
						reads.saturating_inc();
						let until = Pallet::<T>::listing_of(&Providers::<T>::get(&provider)?)?;
						Some(Listing { provider, until })
					})
					.collect();
				// No longer than the list it came from, so within the same bound.
				Some(BoundedVec::truncate_from(entries))
			});
			T::DbWeight::get().reads_writes(reads.saturating_add(lists), lists)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
		}
	}

	/// [`MigrateListings`], run only on a chain at storage version 2, which it moves to 3.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		MigrateListings<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
