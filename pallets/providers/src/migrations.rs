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

	/// Rewrites every kernel's list with each provider's `until`, read from its record (in
	/// the layout versions 2 and 3 share, [`super::v4::OldProviderInfo`], brought to today's). A version-2 list
	/// held exactly the providers `Pallet::listing_of` places in it; an entry without a
	/// record (which version 2 never wrote) is dropped.
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
						let key = Providers::<T>::hashed_key_for(&provider);
						let record: super::v4::OldProviderInfo<T> =
							frame_support::storage::unhashed::get(&key)?;
						let until = Pallet::<T>::listing_of(&record.migrate().migrate())?;
						Some(Listing { provider, until })
					})
					.collect();
				// No longer than the list it came from, so within the same bound.
				Some(BoundedVec::truncate_from(entries))
			});
			T::DbWeight::get().reads_writes(reads.saturating_add(lists), lists)
		}

		// The records are migrated next (version 4), so the invariants are checked after that.
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

/// Version 4: each provider record carries what draws read of it before each of its changes
/// in the last few blocks ([`crate::ProviderInfo::history`], see [`crate::view`]), so that a
/// draw reads the registry as it stood before its seed could be known. Version 3 records had
/// no history; they start with an empty one, which is exact for any draw after the
/// `DRAW_LOOKBACK` blocks that follow the upgrade and for the draws within them reads the
/// record as it was at the upgrade.
pub mod v4 {
	use crate::{
		pallet::{BalanceOf, Config},
		Capabilities, Pallet, ProviderStatus, Reputation, Terms,
	};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::Saturating;

	/// A provider record as version 3 stored it.
	#[derive(Encode, Decode)]
	pub struct OldProviderInfo<T: Config> {
		pub stake: BalanceOf<T>,
		pub capabilities: Capabilities<T::MaxDeviceNameLen>,
		pub endpoint: BoundedVec<u8, T::MaxEndpointLen>,
		pub price_per_work_unit: BalanceOf<T>,
		pub status: ProviderStatus<BlockNumberFor<T>>,
		pub active_jobs: u32,
		pub reputation: Reputation,
		pub registered_at: BlockNumberFor<T>,
		pub prior_terms: Terms<BalanceOf<T>>,
		pub terms_changed_at: BlockNumberFor<T>,
	}

	/// The provider records in version 4's layout, which this step writes.
	#[frame_support::storage_alias]
	type Providers<T: Config> = CountedStorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		super::v5::OldProviderInfo<T>,
		OptionQuery,
	>;

	impl<T: Config> OldProviderInfo<T> {
		/// The record with an empty history, in version 4's layout.
		pub fn migrate(self) -> super::v5::OldProviderInfo<T> {
			super::v5::OldProviderInfo::<T> {
				stake: self.stake,
				capabilities: self.capabilities,
				endpoint: self.endpoint,
				price_per_work_unit: self.price_per_work_unit,
				status: self.status,
				active_jobs: self.active_jobs,
				// Only differences of this count matter, and no history entry holds one yet.
				jobs_begun: 0,
				reputation: self.reputation,
				registered_at: self.registered_at,
				prior_terms: self.prior_terms,
				terms_changed_at: self.terms_changed_at,
				history: Default::default(),
			}
		}
	}

	/// Rewrites every provider record with an empty history.
	pub struct AddDrawHistory<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddDrawHistory<T> {
		fn on_runtime_upgrade() -> Weight {
			// One read and one write per provider record.
			let mut records = 0u64;
			Providers::<T>::translate::<OldProviderInfo<T>, _>(|_who, old| {
				records.saturating_inc();
				Some(old.migrate())
			});
			T::DbWeight::get().reads_writes(records, records)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok(Providers::<T>::count().encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &state[..]).map_err(|_| "bad pre_upgrade state")?;
			ensure!(Providers::<T>::count() == before, "a provider record was lost");
			// The invariants are checked after the next step, which reads this layout.
			ensure!(
				Providers::<T>::iter_values().count() as u32 == before,
				"a record did not decode"
			);
			Ok(())
		}
	}

	/// [`AddDrawHistory`], run only on a chain at storage version 3, which it moves to 4.
	pub type MigrateV3ToV4<T> = VersionedMigration<
		3,
		4,
		AddDrawHistory<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 5: each provider record, and each entry of its draw history, counts the jobs whose
/// slots it gave back at an escalation and whose verdict is still to come
/// ([`crate::ProviderInfo::awaiting_verdicts`]), so that an escalation frees the earlier
/// rounds' slots without letting their holders withdraw before they are judged, or gather
/// more pending judgements than they have slots. Version 4 records start at 0: the jobs pallet's own step moves the
/// slots of jobs that escalated before the upgrade.
pub mod v5 {
	use crate::{
		pallet::*,
		view::{MaxSeen, Seen},
		Capabilities, ProviderStatus, Reputation, Terms,
	};
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::Saturating;

	/// What a draw read of a record, as version 4 stored it in the record's history.
	#[derive(Encode, Decode)]
	pub struct OldSeen<T: Config> {
		pub terms: Terms<BalanceOf<T>>,
		pub prior_terms: Terms<BalanceOf<T>>,
		pub terms_changed_at: BlockNumberFor<T>,
		pub active_jobs: u32,
		pub jobs_begun: u32,
		pub max_concurrent_jobs: u32,
		pub memory_mib: u32,
		pub reputation: Reputation,
	}

	impl<T: Config> OldSeen<T> {
		/// The entry, awaiting no verdict: exact, since before version 5 no slot was given
		/// back before its verdict.
		fn migrate(self) -> Seen<BalanceOf<T>, BlockNumberFor<T>> {
			Seen {
				terms: self.terms,
				prior_terms: self.prior_terms,
				terms_changed_at: self.terms_changed_at,
				active_jobs: self.active_jobs,
				awaiting_verdicts: 0,
				jobs_begun: self.jobs_begun,
				max_concurrent_jobs: self.max_concurrent_jobs,
				memory_mib: self.memory_mib,
				reputation: self.reputation,
			}
		}
	}

	/// A record's history as version 4 stored it.
	pub type OldHistory<T> = BoundedVec<(BlockNumberFor<T>, OldSeen<T>), MaxSeen>;

	/// A provider record as version 4 stored it.
	#[derive(Encode, Decode)]
	pub struct OldProviderInfo<T: Config> {
		pub stake: BalanceOf<T>,
		pub capabilities: Capabilities<T::MaxDeviceNameLen>,
		pub endpoint: BoundedVec<u8, T::MaxEndpointLen>,
		pub price_per_work_unit: BalanceOf<T>,
		pub status: ProviderStatus<BlockNumberFor<T>>,
		pub active_jobs: u32,
		pub jobs_begun: u32,
		pub reputation: Reputation,
		pub registered_at: BlockNumberFor<T>,
		pub prior_terms: Terms<BalanceOf<T>>,
		pub terms_changed_at: BlockNumberFor<T>,
		pub history: OldHistory<T>,
	}

	impl<T: Config> OldProviderInfo<T> {
		/// The record, awaiting no verdict, and its history the same.
		pub fn migrate(self) -> ProviderInfoOf<T> {
			let history = self.history.into_iter().map(|(at, seen)| (at, seen.migrate()));
			ProviderInfoOf::<T> {
				stake: self.stake,
				capabilities: self.capabilities,
				endpoint: self.endpoint,
				price_per_work_unit: self.price_per_work_unit,
				status: self.status,
				active_jobs: self.active_jobs,
				awaiting_verdicts: 0,
				jobs_begun: self.jobs_begun,
				reputation: self.reputation,
				registered_at: self.registered_at,
				prior_terms: self.prior_terms,
				terms_changed_at: self.terms_changed_at,
				// No longer than the history it came from, so within the same bound.
				history: BoundedVec::truncate_from(history.collect::<Vec<_>>()),
			}
		}
	}

	/// Rewrites every provider record with a count of verdicts awaited.
	pub struct AddAwaitingVerdicts<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddAwaitingVerdicts<T> {
		fn on_runtime_upgrade() -> Weight {
			// One read and one write per provider record.
			let mut records = 0u64;
			Providers::<T>::translate::<OldProviderInfo<T>, _>(|_who, old| {
				records.saturating_inc();
				Some(old.migrate())
			});
			T::DbWeight::get().reads_writes(records, records)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok(Providers::<T>::count().encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &state[..]).map_err(|_| "bad pre_upgrade state")?;
			ensure!(Providers::<T>::count() == before, "a provider record was lost");
			ensure!(
				Providers::<T>::iter_values().count() as u32 == before,
				"a record did not decode"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// [`AddAwaitingVerdicts`], run only on a chain at storage version 4, which it moves to 5.
	pub type MigrateV4ToV5<T> = VersionedMigration<
		4,
		5,
		AddAwaitingVerdicts<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
