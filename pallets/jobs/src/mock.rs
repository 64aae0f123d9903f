//! A test runtime with balances, the provider registry and this pallet, helpers that drive a
//! job through its life, and an externalities builder that checks every invariant after each
//! test.

use crate::{self as pallet_jobs, types::*};
use concord_primitives::{kernel::KernelId, market::commitment::commitment};
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::Inspect, ConstU32, ConstU64, Hooks, Randomness},
	weights::Weight,
};
use pallet_providers::{CapabilitiesInput, GpuBackend};
use sp_core::H256;
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

pub type AccountId = u64;
pub type Balance = u64;

/// Requesters, each funded with `FUNDS`.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// A requester that can pay for one small job and nothing more.
pub const POOR: AccountId = 3;
pub const POOR_FUNDS: Balance = 300;
/// Providers registered at genesis (see [`new_test_ext`]), each staking `STAKE`: enough for
/// a pool of `POOL_FACTOR * 5` and an escalation panel's pool after a round of 3.
pub const PROVIDERS: [AccountId; 12] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
pub const FUNDS: Balance = 1_000_000;
pub const STAKE: Balance = 10_000;
pub const MIN_STAKE: Balance = 1_000;
/// Price per work unit of every genesis provider.
pub const PRICE: Balance = 2;

pub const JOB_DEPOSIT: Balance = 10;
pub const BYTE_DEPOSIT: Balance = 1;
pub const MAX_REPLICAS: u32 = 5;
pub const ESCALATION_REPLICAS: u32 = 3;
pub const POOL_FACTOR: u32 = 2;
pub const DRAW_DELAY: u64 = 2;
pub const ACTIVATION_DELAY: u64 = 3;
pub const UNBONDING_PERIOD: u64 = 10;
pub const DECLINE_FEE: Balance = 50;
/// Held per first-round seat of a remote-input job; each of its reporters is paid at most this
/// if it fails for the input.
pub const INPUT_DEPOSIT: Balance = 35;
pub const MAX_OPEN_JOBS_PER_REQUESTER: u32 = 6;
pub const MAX_ESCALATIONS: u32 = 1;
/// The most escalations a test may allow ([`MaxEscalations`]); `MaxAssignees` holds them.
pub const MOST_ESCALATIONS: u32 = 2;
pub const ASSIGNMENT_TIMEOUT: u64 = 6;
pub const RETRY_INTERVAL: u64 = 2;
/// Burnt from a job's deposit for each assignment attempt that finds no pool.
pub const RETRY_FEE: Balance = 1;
pub const RETENTION: u64 = 20;
pub const MAX_OPEN_JOBS: u32 = 8;
pub const MAX_AGENDA_PER_BLOCK: u32 = 3;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Providers: pallet_providers,
		Jobs: pallet_jobs,
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
	pub const JobDeposit: Balance = JOB_DEPOSIT;
	pub const ByteDeposit: Balance = BYTE_DEPOSIT;
	pub const WrongResultSlash: Perbill = Perbill::from_percent(10);
	pub const NoShowSlash: Perbill = Perbill::from_percent(2);
	pub const FailedRevealShare: Perbill = Perbill::from_percent(50);
	pub const DeclineFee: Balance = DECLINE_FEE;
	pub const InputDeposit: Balance = INPUT_DEPOSIT;
	/// Tests lower it to see the agenda carry over to the next block.
	pub storage AgendaWeightLimit: Weight = Weight::MAX;
	/// Tests clear it to see assignment wait for randomness.
	pub storage HasRandomness: bool = true;
	/// Tests change it to give later blocks other VRF outputs.
	pub storage RandomnessSalt: u8 = 0;
	/// Tests of a job decided over several panels raise it, up to `MOST_ESCALATIONS`, before
	/// submitting.
	pub storage MaxEscalations: u32 = MAX_ESCALATIONS;
	/// Tests of a long wait for providers raise it before submitting.
	pub storage AssignmentTimeout: u64 = ASSIGNMENT_TIMEOUT;
	/// Tests of the queue's bound lower it.
	pub storage MaxQueuedPerKernel: u32 = 64;
	pub const RetryFee: Balance = RETRY_FEE;
}

impl pallet_providers::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinStake = MinStake;
	type UnbondingPeriod = ConstU64<UNBONDING_PERIOD>;
	type ActivationDelay = ConstU64<ACTIVATION_DELAY>;
	/// Room for the genesis providers and the extra ones the coalition test registers.
	type MaxProvidersPerKernel = ConstU32<32>;
	type MaxDeviceNameLen = ConstU32<32>;
	type MaxEndpointLen = ConstU32<64>;
	type WeightInfo = ();
}

/// Randomness that changes every block, standing in for BABE's VRF output.
pub struct TestRandomness;
impl Randomness<Option<H256>, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (Option<H256>, u64) {
		let block = System::block_number();
		let seed = (subject, block, b"test-vrf", RandomnessSalt::get());
		let random = HasRandomness::get()
			.then(|| H256(sp_crypto_hashing::blake2_256(&codec::Encode::encode(&seed))));
		(random, block.saturating_sub(1))
	}
}

impl pallet_jobs::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Providers = Providers;
	type Randomness = TestRandomness;
	type MaxReplicas = ConstU32<MAX_REPLICAS>;
	type EscalationReplicas = ConstU32<ESCALATION_REPLICAS>;
	type PoolFactor = ConstU32<POOL_FACTOR>;
	type DrawDelay = ConstU64<DRAW_DELAY>;
	type ExpectedBlockMillis = ConstU64<6000>;
	type DeclineFee = DeclineFee;
	type InputDeposit = InputDeposit;
	type FailedRevealShare = FailedRevealShare;
	type MaxOpenJobsPerRequester = ConstU32<MAX_OPEN_JOBS_PER_REQUESTER>;
	type MaxEscalations = MaxEscalations;
	type MaxAssignees = ConstU32<{ 2 * (MAX_REPLICAS + MOST_ESCALATIONS * MAX_REPLICAS) }>;
	type DataRetention = ConstU64<14_400>;
	type MaxInlineInput = ConstU32<64>;
	type MaxSourceLen = ConstU32<64>;
	type JobDeposit = JobDeposit;
	type ByteDeposit = ByteDeposit;
	type MinWindow = ConstU64<2>;
	type MaxWindow = ConstU64<50>;
	type MaxRevealWindow = ConstU64<20>;
	type AssignmentTimeout = AssignmentTimeout;
	type RetryInterval = ConstU64<RETRY_INTERVAL>;
	type RetryFee = RetryFee;
	type MaxQueuedPerKernel = MaxQueuedPerKernel;
	type WrongResultSlash = WrongResultSlash;
	type NoShowSlash = NoShowSlash;
	type MaxOpenJobs = ConstU32<MAX_OPEN_JOBS>;
	type MaxAgendaPerBlock = ConstU32<MAX_AGENDA_PER_BLOCK>;
	type AgendaWeightLimit = AgendaWeightLimit;
	type Retention = ConstU64<RETENTION>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

/// Fresh state at block 1: requesters funded, every provider in [`PROVIDERS`] registered for
/// sort-u32 and sha256-batch, two jobs at a time, at [`PRICE`].
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances = vec![(ALICE, FUNDS), (BOB, FUNDS), (POOR, POOR_FUNDS)];
	balances.extend(PROVIDERS.iter().map(|p| (*p, FUNDS)));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		for provider in PROVIDERS {
			register(provider, &[KernelId::SortU32, KernelId::Sha256Batch], PRICE);
			make_assignable(provider);
		}
		System::reset_events();
	});
	ext
}

/// Registers `who` as a provider of `kernels` at `price`, staking [`STAKE`].
pub fn register(who: AccountId, kernels: &[KernelId], price: Balance) {
	let capabilities = CapabilitiesInput {
		backend: GpuBackend::Cpu,
		device_name: b"lavapipe".to_vec(),
		memory_mib: 1024,
		kernels: kernels.to_vec(),
		max_concurrent_jobs: 2,
	};
	Providers::register(
		RuntimeOrigin::signed(who),
		STAKE,
		capabilities,
		format!("/ip4/127.0.0.1/tcp/{who}").into_bytes(),
		price,
	)
	.expect("a funded account registers");
}

/// Registers `who` (funded from BOB here) for sort-u32 at `price` with `stake` and `slots`
/// concurrent jobs, declaring all the memory there is: the cheapest Sybil an attacker can run.
/// Its terms come into force after the activation delay, as anyone's.
pub fn register_sybil(who: AccountId, price: Balance, stake: Balance, slots: u32) {
	<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
		&BOB,
		&who,
		2 * stake,
		frame_support::traits::tokens::Preservation::Preserve,
	)
	.expect("BOB can fund a Sybil");
	let capabilities = CapabilitiesInput {
		backend: GpuBackend::Cpu,
		device_name: b"sybil".to_vec(),
		memory_mib: u32::MAX,
		kernels: vec![KernelId::SortU32],
		max_concurrent_jobs: slots,
	};
	Providers::register(
		RuntimeOrigin::signed(who),
		stake,
		capabilities,
		b"/ip4/127.0.0.1/tcp/1".to_vec(),
		price,
	)
	.expect("a funded account registers");
}

/// Makes `who`'s current terms the ones in force, as for a provider registered long ago.
pub fn make_assignable(who: AccountId) {
	pallet_providers::Providers::<Test>::mutate(who, |info| {
		let info = info.as_mut().expect("registered");
		info.prior_terms = info.terms();
	});
}

/// The total issuance, which job operations change only by burning slashes and fees.
pub fn issuance() -> Balance {
	Balances::total_issuance()
}

/// What the jobs pallet burnt so far, by its events: slashes, decline fees and the fees of
/// assignment attempts that found no pool.
pub fn burnt() -> Balance {
	job_events()
		.into_iter()
		.map(|event| match event {
			pallet_jobs::Event::Slashed { amount, .. } => amount,
			pallet_jobs::Event::Declined { fee, .. } => fee,
			pallet_jobs::Event::AssignmentDeferred { fee, .. } => fee,
			_ => 0,
		})
		.sum()
}

/// Checks both pallets' invariants; the jobs pallet's include, across both, the slots each
/// provider holds and the verdicts it awaits.
pub fn check_invariants() {
	pallet_jobs::Pallet::<Test>::do_try_state().expect("jobs invariants hold");
	pallet_providers::Pallet::<Test>::do_try_state().expect("provider invariants hold");
}

/// Runs `test` on fresh state, then checks every invariant and that the total issuance fell
/// by exactly what was burnt.
pub fn run_test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		let before = issuance();
		test();
		check_invariants();
		assert_eq!(issuance() + burnt(), before, "total issuance changed by more than burns");
	});
}

/// Advances to block `n`, running this pallet's hooks in each block as the executive would.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Jobs::on_initialize(next);
		Jobs::on_idle(next, Weight::MAX);
	}
}

/// The genesis providers that owe job `id` a commit or a reveal now.
pub fn owing(id: JobId) -> Vec<AccountId> {
	PROVIDERS
		.iter()
		.copied()
		.filter(|p| pallet_jobs::Pallet::<Test>::duties(*p).iter().any(|d| d.job == id))
		.collect()
}

/// Advances one block.
pub fn next_block() {
	run_to(System::block_number() + 1);
}

/// sort-u32 of four values: the smallest job, 8 work units, 16 bytes of inline input.
pub fn sort_params() -> Vec<u32> {
	vec![4]
}
pub const SORT_WORK_UNITS: u64 = 8;
pub fn sort_input() -> InputSpec {
	InputSpec::Inline(vec![7u8; 16])
}

/// Submits a sort-u32 job from `who` with `replicas`, `quorum` and `reward`, commit and reveal
/// windows of 5 blocks; returns its id.
pub fn submit(who: AccountId, replicas: u32, quorum: u32, reward: Balance) -> JobId {
	try_submit(who, replicas, quorum, reward).expect("a valid job is accepted")
}

/// [`submit`], or why the chain refused it.
pub fn try_submit(
	who: AccountId,
	replicas: u32,
	quorum: u32,
	reward: Balance,
) -> Result<JobId, sp_runtime::DispatchError> {
	try_submit_with_windows(who, replicas, quorum, reward, (5, 5))
}

/// [`try_submit`] with `(commit, reveal)` windows.
pub fn try_submit_with_windows(
	who: AccountId,
	replicas: u32,
	quorum: u32,
	reward: Balance,
	(commit, reveal): (u64, u64),
) -> Result<JobId, sp_runtime::DispatchError> {
	let id = pallet_jobs::NextJobId::<Test>::get();
	Jobs::submit(
		RuntimeOrigin::signed(who),
		KernelId::SortU32,
		sort_params(),
		sort_input(),
		replicas,
		quorum,
		reward,
		commit,
		reveal,
	)?;
	Ok(id)
}

/// Submits and moves to the block where the job is drawn; returns the job and its
/// assignees.
pub fn submit_assigned(
	who: AccountId,
	replicas: u32,
	quorum: u32,
	reward: Balance,
) -> (JobId, Vec<AccountId>) {
	let id = submit(who, replicas, quorum, reward);
	run_to(System::block_number() + DRAW_DELAY);
	(id, assignees(id))
}

/// The providers assigned to job `id` so far.
pub fn assignees(id: JobId) -> Vec<AccountId> {
	job(id).assignees.iter().map(|a| a.provider).collect()
}

pub fn job(id: JobId) -> crate::JobInfoOf<Test> {
	pallet_jobs::Jobs::<Test>::get(id).expect("the job exists")
}

/// A result hash; `RESULT_A` is the honest one in tests.
pub const RESULT_A: H256 = H256::repeat_byte(0xaa);
pub const RESULT_B: H256 = H256::repeat_byte(0xbb);

/// The salt `who` uses in tests.
pub fn salt(who: AccountId) -> [u8; 32] {
	[who as u8; 32]
}

/// `who`'s commitment to `result`, with its test salt.
pub fn commitment_of(who: AccountId, result: H256) -> H256 {
	H256(commitment(&result.0, &salt(who), &codec::Encode::encode(&who)))
}

pub fn commit(who: AccountId, id: JobId, result: H256) -> sp_runtime::DispatchResult {
	Jobs::commit(RuntimeOrigin::signed(who), id, commitment_of(who, result))
}

pub fn reveal(who: AccountId, id: JobId, result: H256) -> sp_runtime::DispatchResult {
	reveal_with_salt(who, id, result, salt(who))
}

/// Reveals with any salt, dropping the weight refund.
pub fn reveal_with_salt(
	who: AccountId,
	id: JobId,
	result: H256,
	salt: [u8; 32],
) -> sp_runtime::DispatchResult {
	Jobs::reveal(RuntimeOrigin::signed(who), id, result, salt).map(|_| ()).map_err(|e| e.error)
}

/// Free balance of `who`.
pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// `who`'s provider record.
pub fn provider(who: AccountId) -> pallet_providers::ProviderInfoOf<Test> {
	pallet_providers::Providers::<Test>::get(who).expect("registered")
}

/// The events of this pallet so far, in order.
pub fn job_events() -> Vec<pallet_jobs::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Jobs(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Advances block by block up to `last`; returns the blocks in which job `id` was deferred
/// (`AssignmentDeferred`), with the fee each of those attempts paid.
pub fn deferrals_until(id: JobId, last: u64) -> Vec<(u64, Balance)> {
	let mut seen = Vec::new();
	while System::block_number() < last {
		next_block();
		let fees: Vec<Balance> = job_events()
			.into_iter()
			.filter_map(|event| match event {
				pallet_jobs::Event::AssignmentDeferred { job, fee, .. } if job == id => Some(fee),
				_ => None,
			})
			.collect();
		let new = fees.len() - seen.len();
		for fee in fees.into_iter().rev().take(new).rev() {
			seen.push((System::block_number(), fee));
		}
	}
	seen
}

/// `Inspect::balance` is used by name in a few tests.
pub fn total_balance(who: AccountId) -> Balance {
	<Balances as Inspect<AccountId>>::total_balance(&who)
}

/// Runs `f` and undoes everything it wrote: one of several worlds that start from the same
/// state (a draw seen without the job it was for, or with and without some transaction).
pub fn and_undo<R>(f: impl FnOnce() -> R) -> R {
	use frame_support::storage::{with_transaction, TransactionOutcome};
	let mut out = None;
	let _ = with_transaction(|| -> TransactionOutcome<Result<(), sp_runtime::DispatchError>> {
		out = Some(f());
		TransactionOutcome::Rollback(Ok(()))
	});
	out.expect("ran")
}
