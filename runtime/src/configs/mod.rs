//! How each pallet is configured in the Concord runtime.

use crate::{
	units::*, AccountId, Babe, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin,
	RuntimeTask, System, VERSION,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, IdentityFee, Weight, WeightToFee,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_core::Void;
use sp_runtime::{
	traits::{Bounded, One},
	FixedPointNumber, Perbill, Perquintill,
};
use sp_version::RuntimeVersion;

/// Share of a block's weight and length that ordinary transactions may fill; the rest is kept
/// for operational ones (e.g. sudo).
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Compute time a block may take: a third of the block time, leaving room for import and
/// propagation.
pub const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	pub RuntimeBlockWeights: BlockWeights =
		BlockWeights::with_sensible_defaults(MAXIMUM_BLOCK_WEIGHT, NORMAL_DISPATCH_RATIO);
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(crate::MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * *max
		})
		.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDb only.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

parameter_types! {
	pub const EpochDuration: u64 = EPOCH_DURATION_IN_SLOTS;
	pub const ExpectedBlockTime: u64 = MILLI_SECS_PER_BLOCK;
}

/// The authority set is fixed in the genesis preset (there is no staking: validators are chosen
/// by the chain's operators, and changed with a runtime upgrade through sudo).
impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDuration;
	type ExpectedBlockTime = ExpectedBlockTime;
	type EpochChangeTrigger = pallet_babe::SameAuthoritiesForever;
	type DisabledValidators = ();
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type KeyOwnerProof = Void;
	type EquivocationReportSystem = ();
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Babe;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

/// The least balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees rise while blocks are fuller than a quarter, and fall back when they are not, so
	/// that filling blocks ahead of commits and reveals gets dearer the longer it lasts.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(3, 100_000);
	pub MinimumMultiplier: Multiplier = Multiplier::one();
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
	/// A byte of a transaction costs a millionth of a CORD: a full block's worth (3.75 MiB)
	/// costs about 3.9 CORD, where it cost 4 millionths of one.
	pub const TransactionByteFee: Balance = MICRO_UNIT;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A provider's minimum stake: large enough that losing part of it to a wrong answer hurts.
	pub const ProviderMinStake: Balance = 100 * UNIT;
	/// How long a leaving provider's stake waits after it unregisters. What keeps it slashable
	/// is not this length but `withdraw` also waiting for every job it holds and every verdict
	/// still to judge it (`JobsInProgress`).
	pub const ProviderUnbondingPeriod: BlockNumber = HOURS;
	/// A change of status, stake or price reaches assignment after two epochs and a block:
	/// BABE authors can compute their VRF outputs an epoch ahead, so the pool any draw reads
	/// was fixed before anyone could know the draw's randomness.
	pub const ProviderActivationDelay: BlockNumber = 2 * (EPOCH_DURATION_IN_SLOTS as BlockNumber) + 1;
}

impl pallet_providers::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinStake = ProviderMinStake;
	type UnbondingPeriod = ProviderUnbondingPeriod;
	type ActivationDelay = ProviderActivationDelay;
	type MaxProvidersPerKernel = ConstU32<1024>;
	type MaxDeviceNameLen = ConstU32<64>;
	type MaxEndpointLen = ConstU32<256>;
	type WeightInfo = pallet_providers::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Held per job while it is open, for its storage; refunded when it ends.
	pub const JobDeposit: Balance = UNIT / 10;
	/// Held per byte of inline input while the job is open; refunded when it ends.
	pub const JobByteDeposit: Balance = MILLI_UNIT / 10;
	/// A wrong answer, or a reveal withheld after committing, burns a tenth of the stake.
	pub const WrongResultSlash: Perbill = Perbill::from_percent(10);
	/// A no-show burns a fiftieth: it wastes the requester's time, but attacks nothing.
	pub const NoShowSlash: Perbill = Perbill::from_percent(2);
	/// Declining a job before committing costs 1 CORD, less than any no-show.
	pub const JobDeclineFee: Balance = UNIT;
	/// A remote-input job holds 1 CORD per first-round seat, what a decline of an inline
	/// job costs: the assignees that report its input unavailable share it if the job fails
	/// for it.
	pub const JobInputDeposit: Balance = UNIT;
	/// Revealers of a job that ends without a quorum get half the reward.
	pub const FailedRevealShare: Perbill = Perbill::from_percent(50);
	/// An assignment attempt that finds no pool costs the waiting job's requester what the
	/// attempt would cost as a transaction (at the base fee), from its benchmark.
	pub JobRetryFee: Balance = <IdentityFee<Balance> as WeightToFee>::weight_to_fee(
		&<pallet_jobs::weights::SubstrateWeight<Runtime> as pallet_jobs::weights::WeightInfo>::process_assignment(),
	);
	/// The agenda takes at most a fifth of a block.
	pub JobsAgendaWeightLimit: Weight = Perbill::from_percent(20) * MAXIMUM_BLOCK_WEIGHT;
}

impl pallet_jobs::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Providers = crate::Providers;
	/// BABE's VRF output of the parent block: unknown to a requester when it submits.
	type Randomness = pallet_babe::ParentBlockRandomness<Runtime>;
	type MaxReplicas = ConstU32<16>;
	/// An escalation draws a fresh panel of at least three, and of at least the round's
	/// replicas, decided by at least the round's quorum's share of them: 2 of 3 for a job of
	/// 3 replicas and quorum 2, 5 of 5 for a unanimous job of 5.
	type EscalationReplicas = ConstU32<3>;
	type MaxEscalations = ConstU32<2>;
	/// 16 replicas and two panels of up to 16, each seat replaced at most once.
	type MaxAssignees = ConstU32<96>;
	/// A draw of k providers needs 2k eligible ones.
	type PoolFactor = ConstU32<2>;
	/// Drawn three blocks after submission: the VRF outputs of two blocks nobody knew then
	/// are mixed into the seed.
	type DrawDelay = ConstU32<3>;
	type ExpectedBlockMillis = ConstU64<MILLI_SECS_PER_BLOCK>;
	type DeclineFee = JobDeclineFee;
	type InputDeposit = JobInputDeposit;
	type FailedRevealShare = FailedRevealShare;
	type MaxOpenJobsPerRequester = ConstU32<16>;
	/// A day: long enough to come back from a night offline for an output, and for every
	/// escalation of a job (each round at most 35 minutes of windows, and the wait for a
	/// panel) to find its input.
	type DataRetention = ConstU32<DAYS>;
	/// 16 KiB: a small matrix or batch rides on chain; larger inputs are sent remote.
	type MaxInlineInput = ConstU32<16_384>;
	type MaxSourceLen = ConstU32<256>;
	type JobDeposit = JobDeposit;
	type ByteDeposit = JobByteDeposit;
	/// Ten blocks (30 s) at least, and for commits as long as the job's work needs on the
	/// slowest device: providers always get time to act.
	type MinWindow = ConstU32<10>;
	/// A commit window lasts at most ten times what the job's work needs and at most half an
	/// hour: requesters cannot tie providers up for long.
	type MaxWindow = ConstU32<{ HOURS / 2 }>;
	/// Five minutes to reveal: a reveal needs no work, but a provider whose node is down for a
	/// few minutes, or whose reveal a re-org drops, must not lose a tenth of its stake as a
	/// withholder.
	type MaxRevealWindow = ConstU32<{ 5 * MINUTES }>;
	/// Ten minutes to find providers before a refund.
	type AssignmentTimeout = ConstU32<{ 10 * MINUTES }>;
	/// A waiting job is tried again 5 blocks (15 s) later at first, then after as long as it
	/// has waited, at most 50 blocks apart: 8 attempts in its 10 minutes, the last at its end.
	type RetryInterval = ConstU32<5>;
	type RetryFee = JobRetryFee;
	/// 128 jobs of a kernel wait for providers at most, an eighth of `MaxOpenJobs`.
	type MaxQueuedPerKernel = ConstU32<128>;
	type WrongResultSlash = WrongResultSlash;
	type NoShowSlash = NoShowSlash;
	type MaxOpenJobs = ConstU32<1024>;
	type MaxAgendaPerBlock = ConstU32<128>;
	type AgendaWeightLimit = JobsAgendaWeightLimit;
	/// Ended jobs stay readable for a day.
	type Retention = ConstU32<DAYS>;
	type WeightInfo = pallet_jobs::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = JobsBenchmarkHelper;
}

/// Gives the jobs pallet's benchmarks the VRF output that a real block would carry.
#[cfg(feature = "runtime-benchmarks")]
pub struct JobsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_jobs::BenchmarkHelper for JobsBenchmarkHelper {
	fn set_randomness() {
		pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some([7u8; 32]));
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The worker plans to have each job computed `COMMIT_MARGIN_BLOCKS` before its window
	/// closes, with `PER_JOB_MILLIS` of overhead for each of the `JOBS_AT_ONCE` jobs it may
	/// hold: the shortest window must leave that room, or honest workers decline small jobs.
	#[test]
	fn the_shortest_window_leaves_a_worker_its_margin() {
		use concord_primitives::market::window;
		use frame_support::traits::Get;
		let least = window::least_base_window(MILLI_SECS_PER_BLOCK);
		assert_eq!(least, 4, "2 blocks of margin and 4 jobs' second each, at 3 s a block");
		let min_window: BlockNumber = <Runtime as pallet_jobs::Config>::MinWindow::get();
		assert!(min_window >= least, "MinWindow {min_window} leaves a worker no margin");
	}
}
