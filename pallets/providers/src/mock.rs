//! A test runtime with balances and this pallet, and an externalities builder that checks the
//! pallet's invariants after every test.

use crate as pallet_providers;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

pub type AccountId = u64;
pub type Balance = u64;

pub const MIN_STAKE: Balance = 1_000;
pub const UNBONDING_PERIOD: u64 = 10;
/// Blocks before a change of terms reaches assignment.
pub const ACTIVATION_DELAY: u64 = 4;
pub const MAX_PER_KERNEL: u32 = 8;
pub const MAX_DEVICE_NAME_LEN: u32 = 32;
pub const MAX_ENDPOINT_LEN: u32 = 64;

/// Accounts funded at genesis, each with `FUNDS`.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// Funded with less than the minimum stake.
pub const POOR: AccountId = 4;
pub const FUNDS: Balance = 100_000;
pub const POOR_FUNDS: Balance = 500;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Providers: pallet_providers,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const MinStake: Balance = MIN_STAKE;
}

impl pallet_providers::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinStake = MinStake;
	type UnbondingPeriod = ConstU64<UNBONDING_PERIOD>;
	type ActivationDelay = ConstU64<ACTIVATION_DELAY>;
	type MaxProvidersPerKernel = ConstU32<MAX_PER_KERNEL>;
	type MaxDeviceNameLen = ConstU32<MAX_DEVICE_NAME_LEN>;
	type MaxEndpointLen = ConstU32<MAX_ENDPOINT_LEN>;
	type WeightInfo = ();
}

/// Fresh state: ALICE, BOB and CHARLIE hold `FUNDS`, POOR holds `POOR_FUNDS`; no provider.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, FUNDS), (BOB, FUNDS), (CHARLIE, FUNDS), (POOR, POOR_FUNDS)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on fresh state, then checks the pallet's invariants.
pub fn run_test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		pallet_providers::Pallet::<Test>::do_try_state().expect("invariants hold after the test");
	});
}
