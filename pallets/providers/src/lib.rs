//! # Providers pallet
//!
//! The registry of compute providers of the Concord network.
//!
//! A provider registers with a stake, what its device can do (backend, device name, memory,
//! the kernels it runs, how many jobs it takes at once), an endpoint where requesters fetch
//! results (a libp2p address and an HTTP one for browsers), and a price per work unit. The stake is held from its account with a
//! `fungible` hold ([`HoldReason::ProviderStake`]) for as long as it is registered: the job
//! pallets slash it when the provider reveals a wrong result or fails to show up.
//!
//! ## Life of a provider
//!
//! - [`Pallet::register`]: hold at least [`Config::MinStake`], become `Online`.
//! - [`Pallet::update`]: change capabilities, endpoint or price.
//! - [`Pallet::bond_extra`]: add stake (e.g. to come back online after a slash).
//! - [`Pallet::go_offline`] / [`Pallet::go_online`]: stop or resume taking new jobs.
//! - [`Pallet::unregister`]: start leaving; no new jobs, stake still slashable for
//!   [`Config::UnbondingPeriod`] blocks.
//! - [`Pallet::withdraw`]: after the unbonding period, and once every job in progress is
//!   settled (those whose slots it gave back at an escalation included), release the stake
//!   and remove the record.
//!
//! The job pallets reach providers through [`ProviderRegistry`]: they list candidates for a
//! kernel, take and free job slots, record outcomes in each provider's reputation, and slash.
//!
//! ## Bounds
//!
//! For each kernel, the providers that list it and that assignment may see (online, or
//! offline with their online terms still in force) are kept in [`KernelProviders`], at most
//! [`Config::MaxProvidersPerKernel`] of them, so assignment reads one bounded list instead of
//! iterating every provider. Only those count against the bound: a provider that went offline
//! or is unbonding leaves its place once no draw can see it. The registry itself has no count
//! bound; each record holds at least `MinStake`, which is what limits how many there are.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

mod calls;
pub mod genesis;
mod index;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
pub mod migrations;
pub mod registry;
mod registry_impl;
mod terms;
pub mod types;
pub mod view;
pub mod weights;

pub use registry::{Candidate, ProviderRegistry, Shortfall, Slot};
pub use types::*;
pub use view::DRAW_LOOKBACK;
pub use weights::WeightInfo;

/// Whether `who` can put `amount` more on hold in `C` and stay alive (what it could spend
/// without its account being reaped): the one rule for a provider's stake and a requester's
/// escrow.
pub fn can_hold<AccountId, C: frame_support::traits::fungible::Inspect<AccountId>>(
	who: &AccountId,
	amount: C::Balance,
) -> bool {
	use frame_support::traits::tokens::{Fortitude, Preservation};
	C::reducible_balance(who, Preservation::Preserve, Fortitude::Polite) >= amount
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use concord_primitives::kernel::KernelId;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;

	/// The balance type of the currency that stakes are held in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A provider's record as stored.
	pub type ProviderInfoOf<T> = ProviderInfo<
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxDeviceNameLen,
		<T as Config>::MaxEndpointLen,
	>;

	/// What a draw reads of a provider's record (see [`crate::view`]).
	pub type SeenOf<T> = crate::view::Seen<BalanceOf<T>, BlockNumberFor<T>>;

	/// A provider's terms as stored.
	pub type TermsOf<T> = Terms<BalanceOf<T>>;

	/// An entry of a kernel's list as stored.
	pub type ListingOf<T> = Listing<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// A provider's capabilities as stored.
	pub type CapabilitiesOf<T> = Capabilities<<T as Config>::MaxDeviceNameLen>;

	/// The in-code storage version: 2 added the terms in force to the provider record, 3 the
	/// block each kernel-list entry stops being seen from ([`crate::migrations::v3`]), 4 the
	/// draw history of each record ([`crate::migrations::v4`]), 5 the verdicts each record
	/// awaits ([`crate::migrations::v5`]).
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency stakes are held in.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The least stake a provider must hold to register and to be online.
		#[pallet::constant]
		type MinStake: Get<BalanceOf<Self>>;

		/// Blocks between `unregister` and the earliest `withdraw`, during which the stake
		/// stays slashable for jobs the provider took before leaving.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks before a change of status, stake or price reaches assignment. At least the
		/// jobs pallet's draw delay, and in a real network longer than BABE's look-ahead (two
		/// epochs), so that the pool a draw reads was fixed before anyone could know its
		/// randomness. Unbonding must last longer.
		#[pallet::constant]
		type ActivationDelay: Get<BlockNumberFor<Self>>;

		/// Most providers of one kernel that assignment may see at once (see
		/// [`KernelProviders`]).
		#[pallet::constant]
		type MaxProvidersPerKernel: Get<u32>;

		/// Longest device name, in bytes.
		#[pallet::constant]
		type MaxDeviceNameLen: Get<u32>;

		/// Longest endpoint (its multiaddrs and the commas between them), in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A provider's stake, slashable while it is registered.
		#[codec(index = 0)]
		ProviderStake,
	}

	/// Every registered provider, by account.
	#[pallet::storage]
	pub type Providers<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, ProviderInfoOf<T>, OptionQuery>;

	/// For each kernel, the providers that list it and that assignment may see, in the order
	/// they came online, each with the block it stops being seen from (see [`Listing`]).
	#[pallet::storage]
	pub type KernelProviders<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		KernelId,
		BoundedVec<ListingOf<T>, T::MaxProvidersPerKernel>,
		ValueQuery,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider registered and is online.
		Registered { provider: T::AccountId, stake: BalanceOf<T> },
		/// A provider changed its capabilities, endpoint or price.
		Updated { provider: T::AccountId },
		/// A provider added stake.
		StakeBonded { provider: T::AccountId, amount: BalanceOf<T>, total: BalanceOf<T> },
		/// A provider takes new jobs again.
		WentOnline { provider: T::AccountId },
		/// A provider takes no new jobs.
		WentOffline { provider: T::AccountId, reason: OfflineReason },
		/// A provider is leaving; it may withdraw its stake from block `unlock_at`.
		Unbonding { provider: T::AccountId, unlock_at: BlockNumberFor<T> },
		/// A provider left and its stake was released.
		Withdrawn { provider: T::AccountId, stake: BalanceOf<T> },
		/// Part of a provider's stake was slashed, to `beneficiary` or burnt when `None`.
		Slashed { provider: T::AccountId, amount: BalanceOf<T>, beneficiary: Option<T::AccountId> },
		/// A job of the provider was settled with this outcome.
		OutcomeRecorded { provider: T::AccountId, outcome: JobOutcome },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a provider.
		AlreadyRegistered,
		/// The account is not a provider.
		NotRegistered,
		/// A kernel's list is full (`MaxProvidersPerKernel`) of providers that a draw may still
		/// see.
		TooManyProviders,
		/// The stake is under `MinStake`.
		StakeBelowMinimum,
		/// The account's free balance cannot cover the stake (and stay alive).
		InsufficientBalance,
		/// The amount must be more than zero.
		ZeroAmount,
		/// The endpoint is empty.
		EndpointEmpty,
		/// The endpoint is longer than `MaxEndpointLen`.
		EndpointTooLong,
		/// The endpoint is not one or more multiaddrs (printable ASCII starting with `/`, without
		/// spaces; several are separated by commas).
		InvalidEndpoint,
		/// The device name is longer than `MaxDeviceNameLen`.
		DeviceNameTooLong,
		/// No kernel is listed.
		NoKernels,
		/// More kernels are listed than fit (`MaxKernels`).
		TooManyKernels,
		/// A kernel is listed twice.
		DuplicateKernel,
		/// `max_concurrent_jobs` must be at least 1.
		ZeroConcurrency,
		/// `update` was called with nothing to change.
		NothingToUpdate,
		/// The provider is already online.
		AlreadyOnline,
		/// The provider is already offline.
		AlreadyOffline,
		/// The provider is leaving: it cannot change, go online, or take jobs.
		Unbonding,
		/// The provider has not called `unregister`.
		NotUnbonding,
		/// The unbonding period is not over yet.
		UnbondingNotOver,
		/// The provider still has jobs in progress, or awaiting their verdict; they must
		/// settle first.
		JobsInProgress,
		/// The provider cannot take this job (offline, kernel not listed, or at capacity).
		CannotTakeJob,
		/// Capabilities change only while assignment cannot see the provider: go offline and
		/// wait `ActivationDelay` blocks first.
		StillAssignable,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Providers registered (and online) from the first block.
		pub providers: Vec<genesis::GenesisProvider<T::AccountId, BalanceOf<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for provider in &self.providers {
				genesis::register::<T>(provider);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxProvidersPerKernel::get() > 0, "MaxProvidersPerKernel must be positive");
			assert!(T::MaxEndpointLen::get() > 0, "MaxEndpointLen must be positive");
			assert!(
				T::UnbondingPeriod::get()
					> sp_runtime::Saturating::saturating_add(
						T::ActivationDelay::get(),
						DRAW_LOOKBACK.into()
					),
				"a provider could withdraw while a draw may still see it"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as a provider, holding `stake` from its free balance.
		///
		/// The provider is online at once, and assignable `ActivationDelay` blocks later: from
		/// then the chain may assign it jobs of the kernels it lists whose reward covers
		/// `price_per_work_unit` times the job's work units.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			stake: BalanceOf<T>,
			capabilities: CapabilitiesInput,
			endpoint: Vec<u8>,
			price_per_work_unit: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, stake, capabilities, endpoint, price_per_work_unit)
		}

		/// Changes any of the caller's capabilities, endpoint and price; `None` keeps a field.
		///
		/// A new price reaches assignment `ActivationDelay` blocks later; capabilities change
		/// only once the provider is offline and that delay is over. Jobs already assigned
		/// keep the price they were assigned at.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update())]
		pub fn update(
			origin: OriginFor<T>,
			capabilities: Option<CapabilitiesInput>,
			endpoint: Option<Vec<u8>>,
			price_per_work_unit: Option<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update(who, capabilities, endpoint, price_per_work_unit)
		}

		/// Holds `amount` more of the caller's balance as stake; assignment weighs it
		/// `ActivationDelay` blocks later.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(who, amount)
		}

		/// Stops taking new jobs after `ActivationDelay` blocks (jobs drawn until then, and
		/// jobs in progress, still have to be done).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::go_offline())]
		pub fn go_offline(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_go_offline(who)
		}

		/// Takes new jobs again, from `ActivationDelay` blocks on. The stake must be at least
		/// `MinStake`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::go_online())]
		pub fn go_online(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_go_online(who)
		}

		/// Starts leaving: no new jobs after `ActivationDelay` blocks, and `withdraw` is
		/// possible after `UnbondingPeriod` blocks. The stake stays slashable until then.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::unregister())]
		pub fn unregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister(who)
		}

		/// Releases the whole stake and removes the provider, once the unbonding period is over
		/// and no job of the provider is in progress or still to judge it.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who)
		}
	}
}
