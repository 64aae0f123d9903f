//! Benchmarks of every call, each in its worst case: every kernel listed, the longest device
//! name and endpoint, and every kernel's list one short of `MaxProvidersPerKernel`; or, for
//! the calls that add a provider to the lists, every list full and its last entry dead, so
//! that each must first drop it.

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

/// Blocks after going offline until no draw can see a provider: the activation delay, then
/// the draw's lookback.
fn unseen_after<T: Config>() -> frame_system::pallet_prelude::BlockNumberFor<T> {
	T::ActivationDelay::get().saturating_add(crate::DRAW_LOOKBACK.into())
}

/// Registers `who` with the largest capabilities.
fn register_max<T: Config>(who: &T::AccountId) {
	Providers::<T>::do_register(
		who.clone(),
		T::MinStake::get(),
		max_capabilities::<T>(),
		max_endpoint::<T>(),
		1u32.into(),
	)
	.expect("every kernel's list has room");
}

/// Registers online providers until every kernel's list is one short of full. Genesis may
/// have listed some already, not necessarily for every kernel: providers of every kernel
/// fill the lists up to the longest one's length, and providers of one kernel the rest.
fn fill_lists_but_one<T: Config>() {
	let target = T::MaxProvidersPerKernel::get().saturating_sub(1);
	let len = |kernel: &KernelId| crate::KernelProviders::<T>::decode_len(kernel).unwrap_or(0);
	let mut index = 0u32;
	let mut next = || {
		index.saturating_inc();
		funded::<T>("filler", index)
	};
	while KernelId::ALL.iter().map(len).max().unwrap_or(0) < target as usize {
		register_max::<T>(&next());
	}
	for kernel in KernelId::ALL {
		while len(&kernel) < target as usize {
			let mut capabilities = max_capabilities::<T>();
			capabilities.kernels = vec![kernel];
			Providers::<T>::do_register(
				next(),
				T::MinStake::get(),
				capabilities,
				max_endpoint::<T>(),
				1u32.into(),
			)
			.expect("the list has room");
		}
	}
}

/// Fills every kernel's list, its last entry a provider of every kernel that went offline
/// and whose online terms are now out of force: the next provider listed must drop it.
fn fill_lists_last_dead<T: Config>() {
	fill_lists_but_one::<T>();
	let leaver = funded::<T>("leaver", 0);
	register_max::<T>(&leaver);
	Providers::<T>::put_terms_in_force(&leaver);
	Providers::<T>::do_go_offline(leaver).expect("online");
	let dead = frame_system::Pallet::<T>::block_number().saturating_add(unseen_after::<T>());
	frame_system::Pallet::<T>::set_block_number(dead);
}

/// Registers `who` with the largest capabilities, after fillers that leave every kernel's
/// list one short of full.
fn registered_last<T: Config>() -> T::AccountId {
	fill_lists_but_one::<T>();
	let who = funded::<T>("provider", 0);
	register_max::<T>(&who);
	who
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		fill_lists_last_dead::<T>();
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
		let last = crate::KernelProviders::<T>::get(KernelId::ALL[0]).last().cloned();
		assert_eq!(last.map(|entry| entry.provider), Some(who), "the dead entry made room");
	}

	#[benchmark]
	fn update() {
		// The worst case: it went offline while assignable and its delay is over, so the
		// update also takes its dead entries out of every kernel's list.
		let who = registered_last::<T>();
		Providers::<T>::put_terms_in_force(&who);
		Providers::<T>::do_go_offline(who.clone()).expect("online");
		let later = frame_system::Pallet::<T>::block_number().saturating_add(unseen_after::<T>());
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
		assert!(!crate::KernelProviders::<T>::get(KernelId::ALL[0])
			.iter()
			.any(|entry| entry.provider == who));
	}

	#[benchmark]
	fn bond_extra() {
		// The worst case: offline within its delay, so a draw sees it for a new delay from
		// now, and every kernel's list entry of it moves its `until`.
		let who = registered_last::<T>();
		Providers::<T>::put_terms_in_force(&who);
		Providers::<T>::do_go_offline(who.clone()).expect("online");
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
		// The worst case: it went offline long ago, its entries were dropped to make room,
		// and the lists are full again with a dead entry at the end.
		let who = registered_last::<T>();
		Providers::<T>::put_terms_in_force(&who);
		Providers::<T>::do_go_offline(who.clone()).expect("online provider can go offline");
		let dead = frame_system::Pallet::<T>::block_number().saturating_add(unseen_after::<T>());
		frame_system::Pallet::<T>::set_block_number(dead);
		let leaver = funded::<T>("leaver", 0);
		register_max::<T>(&leaver);
		assert!(!crate::KernelProviders::<T>::get(KernelId::ALL[0])
			.iter()
			.any(|entry| entry.provider == who));
		Providers::<T>::put_terms_in_force(&leaver);
		Providers::<T>::do_go_offline(leaver).expect("online");
		let dead = dead.saturating_add(unseen_after::<T>());
		frame_system::Pallet::<T>::set_block_number(dead);

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
