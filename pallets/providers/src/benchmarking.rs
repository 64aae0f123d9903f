//! Benchmarks of every call, each in its worst case: every kernel listed, the longest device
//! name and endpoint, and every kernel's provider list one short of `MaxProviders`.

use super::*;
use crate::pallet::{BalanceOf, Pallet as Providers};
use alloc::vec;
use concord_primitives::kernel::KernelId;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

/// An account with enough balance to stake several times over.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	fund::<T>(&who);
	who
}

/// Gives `who` enough balance to stake several times over.
pub(crate) fn fund<T: Config>(who: &T::AccountId) {
	let amount = T::MinStake::get()
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(who, amount);
}

/// The largest capabilities a caller can send: every kernel, the longest device name.
fn max_capabilities<T: Config>() -> CapabilitiesInput {
	capabilities_taking::<T>(4)
}

/// The largest capabilities, taking `max_concurrent_jobs` jobs at once.
pub(crate) fn capabilities_taking<T: Config>(max_concurrent_jobs: u32) -> CapabilitiesInput {
	CapabilitiesInput {
		backend: GpuBackend::Vulkan,
		device_name: vec![b'x'; T::MaxDeviceNameLen::get() as usize],
		memory_mib: 80 * 1024,
		kernels: KernelId::ALL.to_vec(),
		max_concurrent_jobs,
	}
}

/// The longest endpoint a caller can send.
pub(crate) fn max_endpoint<T: Config>() -> alloc::vec::Vec<u8> {
	vec![b'/'; T::MaxEndpointLen::get() as usize]
}

/// Registers providers that list every kernel until the registry holds `MaxProviders - 1`
/// (genesis may already hold some), so that every kernel's list is one short of full.
fn fill_registry_but_one<T: Config>() {
	let target = T::MaxProviders::get().saturating_sub(1);
	for i in crate::Providers::<T>::count()..target {
		let who = funded::<T>("filler", i);
		Providers::<T>::do_register(
			who,
			T::MinStake::get(),
			max_capabilities::<T>(),
			max_endpoint::<T>(),
			1u32.into(),
		)
		.expect("the registry has room for every filler");
	}
}

/// Registers `who` with the largest capabilities, after `MaxProviders - 1` fillers.
fn registered_last<T: Config>() -> T::AccountId {
	fill_registry_but_one::<T>();
	let who = funded::<T>("provider", 0);
	Providers::<T>::do_register(
		who.clone(),
		T::MinStake::get(),
		max_capabilities::<T>(),
		max_endpoint::<T>(),
		1u32.into(),
	)
	.expect("one slot was left free");
	who
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		fill_registry_but_one::<T>();
		let who = funded::<T>("provider", 0);
		let stake: BalanceOf<T> = T::MinStake::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			stake,
			max_capabilities::<T>(),
			max_endpoint::<T>(),
			1u32.into(),
		);

		assert!(crate::Providers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn update() {
		// The worst case: offline long enough for its capabilities to change, so the update
		// also takes it out of every kernel's list of a full registry.
		let who = registered_last::<T>();
		Providers::<T>::do_go_offline(who.clone()).expect("online");
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::ActivationDelay::get());
		frame_system::Pallet::<T>::set_block_number(later);
		let price: BalanceOf<T> = 2u32.into();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			Some(max_capabilities::<T>()),
			Some(max_endpoint::<T>()),
			Some(price),
		);

		let info = crate::Providers::<T>::get(&who).expect("still registered");
		assert_eq!(info.price_per_work_unit, price);
	}

	#[benchmark]
	fn bond_extra() {
		let who = registered_last::<T>();
		let amount = T::MinStake::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);

		let info = crate::Providers::<T>::get(&who).expect("still registered");
		assert_eq!(info.stake, T::MinStake::get().saturating_add(amount));
	}

	#[benchmark]
	fn go_offline() {
		let who = registered_last::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		let info = crate::Providers::<T>::get(&who).expect("still registered");
		assert_eq!(info.status, ProviderStatus::Offline);
	}

	#[benchmark]
	fn go_online() {
		let who = registered_last::<T>();
		Providers::<T>::do_go_offline(who.clone()).expect("online provider can go offline");

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		let info = crate::Providers::<T>::get(&who).expect("still registered");
		assert_eq!(info.status, ProviderStatus::Online);
	}

	#[benchmark]
	fn unregister() {
		let who = registered_last::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		let info = crate::Providers::<T>::get(&who).expect("still registered");
		assert!(matches!(info.status, ProviderStatus::Unbonding { .. }));
	}

	#[benchmark]
	fn withdraw() {
		let who = registered_last::<T>();
		Providers::<T>::do_unregister(who.clone()).expect("registered provider can leave");
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(unlock_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!crate::Providers::<T>::contains_key(&who));
	}

	impl_benchmark_test_suite!(Providers, crate::mock::new_test_ext(), crate::mock::Test);
}
