//! Tests of every call and of the registry interface. Each runs through `run_test`, which
//! checks the pallet's invariants (held balance equals recorded stake, kernel index in step
//! with status) once the test is done.

mod genesis;
mod migrations;
mod register;
mod registry;
mod stake;
mod status;
mod update;
mod views;

use crate::{
	mock::*,
	pallet::{HoldReason, KernelProviders, ProviderInfoOf},
	registry::{ProviderRegistry, Slot},
	types::*,
	Error, Event,
};
use concord_primitives::kernel::KernelId;
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate},
};
use sp_runtime::{traits::BadOrigin, BuildStorage, Perbill};

const ENDPOINT: &[u8] = b"/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWExample";
const PRICE: Balance = 3;

fn caps(kernels: &[KernelId]) -> CapabilitiesInput {
	CapabilitiesInput {
		backend: GpuBackend::Vulkan,
		device_name: b"llvmpipe".to_vec(),
		memory_mib: 4096,
		kernels: kernels.to_vec(),
		max_concurrent_jobs: 2,
	}
}

fn register(who: AccountId, stake: Balance, kernels: &[KernelId]) {
	assert_ok!(Providers::register(
		RuntimeOrigin::signed(who),
		stake,
		caps(kernels),
		ENDPOINT.to_vec(),
		PRICE
	));
}

/// Registers `who` and makes its terms the ones in force, as for a provider registered
/// longer than the activation delay ago.
fn register_assignable(who: AccountId, stake: Balance, kernels: &[KernelId]) {
	register(who, stake, kernels);
	crate::pallet::Providers::<Test>::mutate(who, |info| {
		let info = info.as_mut().expect("registered");
		info.prior_terms = info.terms();
	});
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ProviderStake.into(), &who)
}

fn info(who: AccountId) -> ProviderInfoOf<Test> {
	crate::Providers::<Test>::get(who).expect("registered")
}

/// The providers in `kernel`'s list that a draw of this block may see.
fn listed_live(kernel: KernelId) -> Vec<AccountId> {
	let now = System::block_number();
	let list = KernelProviders::<Test>::get(kernel).into_iter();
	list.filter(|entry| entry.is_live(&now)).map(|entry| entry.provider).collect()
}

/// The providers in `kernel`'s list, dead entries included.
fn listed(kernel: KernelId) -> Vec<AccountId> {
	KernelProviders::<Test>::get(kernel).into_iter().map(|entry| entry.provider).collect()
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Providers(event) => Some(event),
			_ => None,
		})
		.expect("the pallet emitted an event")
}
