//! # Jobs pallet
//!
//! The job market of the Concord network: escrow, random assignment, commit-reveal attestation
//! and settlement.
//!
//! ## Life of a job
//!
//! - [`Pallet::submit`]: the requester names a kernel, its params, the input (inline bytes, or
//!   a hash, size and libp2p address), `replicas` (k), `quorum` (q > k/2), the reward per
//!   replica and the commit and reveal windows. `k * reward` plus a deposit is held from its
//!   account ([`HoldReason::JobEscrow`]). [`Pallet::cancel`] refunds it until providers are
//!   assigned.
//! - **Assignment**, in `on_initialize`, [`Config::DrawDelay`] blocks after submission: `k`
//!   distinct providers drawn without replacement, weighted by stake and track record
//!   ([`concord_primitives::market::weight`]), from a pool of at least
//!   [`Config::PoolFactor`]` * k` eligible providers (online, listing the kernel, with a free
//!   slot and enough device memory, whose price times the job's work units is within the
//!   reward, not the requester). The seed mixes BABE's VRF outputs of every block up to the
//!   draw, so it was unknown to everyone when the job and the pool were fixed; the pool reads
//!   providers' terms as they were `ActivationDelay` blocks earlier. A job is refused at
//!   `submit` if no reward-compatible pool exists; while providers are busy it waits and is
//!   retried, and fails with a refund at its assignment deadline.
//! - [`Pallet::commit`]: each assignee posts `blake2_256(result_hash ++ salt ++ account)`
//!   ([`concord_primitives::market::commitment`]) within the commit window, which must fit the
//!   job's work ([`concord_primitives::market::window`]). [`Pallet::decline`] lets an
//!   assignee that cannot do the job step out before committing, for [`Config::DeclineFee`];
//!   its seat is drawn again within the round, blind and once (`replace.rs`). A job whose
//!   input is remote (its BLAKE3 root, size and source) is declined for free and never
//!   replaced, and fails `InputUnavailable` once those left of its first round cannot reach
//!   its quorum.
//! - [`Pallet::reveal`]: once every assignee committed (or declined, with no seat left to draw
//!   again), or the commit window closed, those that
//!   committed reveal `(result_hash, salt)` within the reveal window.
//! - **Verdict**, as soon as every committed assignee revealed or the reveal window closed
//!   ([`concord_primitives::market::verdict`]): the hash revealed by at least `q` assignees of
//!   the round is attested. Every assignee of every round is then judged against it: agreeing
//!   ones are paid `reward` from the escrow; those that revealed another hash, or committed
//!   and withheld, lose [`Config::WrongResultSlash`] of their stake; those that never
//!   committed lose [`Config::NoShowSlash`]. Slashes are burnt: nobody, the requester least,
//!   earns from another's loss. Without a quorum the job escalates to a fresh panel
//!   ([`concord_primitives::market::panel`]: at least the round's seats and
//!   [`Config::EscalationReplicas`], and at least its quorum's share of them), whose own
//!   votes decide (votes cast after reveals were public never join an earlier round's
//!   count), up to [`Config::MaxEscalations`] times, paid from escrow held at submission. A
//!   panel's verdict that fewer assignees over every round revealed than another hash judges
//!   nobody: the job is contested. A job that ends with no quorum, or contested, slashes
//!   nobody, pays each revealer [`Config::FailedRevealShare`] of the reward, and refunds the
//!   rest.
//!
//! ## Bounds
//!
//! Deadlines live in a block-indexed agenda ([`Agenda`]), one entry per open job, processed in
//! `on_initialize` under a weight limit; what does not fit waits for the next block
//! ([`AgendaBacklog`]). Ended jobs stay readable for [`Config::Retention`] blocks and are
//! pruned in `on_idle` from a queue in the order they ended. Open jobs are bounded by
//! [`Config::MaxOpenJobs`] and, per requester, by [`Config::MaxOpenJobsPerRequester`] (the
//! deposit grows with each one open); assignees per job by [`Config::MaxAssignees`], and the
//! candidates for a kernel by the provider registry's own bound.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

mod agenda;
pub mod api;
mod assign;
mod attest;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
pub mod migrations;
pub mod priority;
mod queue;
mod replace;
mod settle;
mod submit;
pub mod types;
pub mod weights;

pub use priority::PrioritizeDuties;
pub use types::*;
pub use weights::WeightInfo;

// `submit` takes each part of a job as its own argument, so that Apps shows a field for each.
#[allow(clippy::too_many_arguments)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use concord_primitives::kernel::KernelId;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			Randomness,
		},
		weights::WeightMeter,
	};
	use frame_system::pallet_prelude::*;
	use pallet_providers::ProviderRegistry;
	use sp_core::H256;
	use sp_runtime::Perbill;

	/// The balance type of the currency that escrow is held in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A job's record as stored.
	pub type JobInfoOf<T> = JobInfo<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxSourceLen,
		<T as Config>::MaxAssignees,
	>;

	/// A job's phase as stored.
	pub type PhaseOf<T> = Phase<BlockNumberFor<T>, BalanceOf<T>>;

	/// Why a job could not be assigned, with this runtime's balance.
	pub type NoAssignmentOf<T> = NoAssignment<BalanceOf<T>>;

	/// A provider that could take a job, as the registry describes it.
	pub type CandidateOf<T> =
		pallet_providers::Candidate<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

	/// The in-code storage version: 2 added declines, escrow for every escalation and the
	/// per-requester count; 3 the panel in each job's spec ([`crate::migrations::v3`]); 4 the
	/// count of queued jobs per kernel ([`crate::migrations::v4`]); 5 gave back, at each
	/// escalation, the ended round's slots ([`crate::migrations::v5`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency escrow is held in (the same one providers stake).
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The provider registry: candidates, job slots, outcomes and slashing.
		type Providers: ProviderRegistry<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;

		/// Randomness for assignment: BABE's VRF output of the parent block
		/// (`pallet_babe::ParentBlockRandomness`). `None` (no VRF output yet) defers assignment
		/// by a block.
		type Randomness: Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

		/// Most replicas a requester may ask for.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;

		/// The fewest providers on the fresh panel each escalation of a job without a quorum
		/// draws: a panel has at least these seats and at least the round's, and at least the
		/// round's quorum's share of them decides
		/// ([`concord_primitives::market::panel::Panel::judging`]).
		#[pallet::constant]
		type EscalationReplicas: Get<u32>;

		/// A draw of `n` providers needs a pool of at least `PoolFactor * n` eligible ones, so
		/// that no one is assigned just for being cheap, and an attacker's seats follow its
		/// share of the pool's weight (docs/DESIGN.md). At least 2.
		#[pallet::constant]
		type PoolFactor: Get<u32>;

		/// Blocks between a job's submission (or escalation) and its draw. The draw's seed
		/// mixes the VRF outputs of the blocks in between, which nobody knew when the job and
		/// the pool were fixed, and the draw reads the registry as it stood this many blocks
		/// before it. At least 2, at most the registry's `ActivationDelay` and its
		/// `DRAW_LOOKBACK`.
		#[pallet::constant]
		type DrawDelay: Get<BlockNumberFor<Self>>;

		/// The block time the commit window rule assumes, in milliseconds.
		#[pallet::constant]
		type ExpectedBlockMillis: Get<u64>;

		/// Burnt from an assignee's stake when it declines a job before committing (none for a
		/// job whose input is remote: the input may never have been served to it).
		#[pallet::constant]
		type DeclineFee: Get<BalanceOf<Self>>;

		/// Held from the requester of a job whose input is remote, per seat of its first
		/// round; if the job fails for its input, each assignee that reported the input
		/// unavailable (declined it) is paid one seat's worth, and the rest given back. What a
		/// requester that never serves its input pays for the effort it wasted.
		#[pallet::constant]
		type InputDeposit: Get<BalanceOf<Self>>;

		/// Of the reward, what each assignee that revealed is paid when the job ends without a
		/// quorum: its work is not wasted at no cost to whoever prevented a verdict.
		#[pallet::constant]
		type FailedRevealShare: Get<Perbill>;

		/// Most jobs one requester may have open at once.
		#[pallet::constant]
		type MaxOpenJobsPerRequester: Get<u32>;

		/// Most escalations of one job before it fails.
		#[pallet::constant]
		type MaxEscalations: Get<u32>;

		/// Most providers assigned to one job over every round: at least
		/// `2 * (MaxReplicas + MaxEscalations * max(MaxReplicas, EscalationReplicas))`, since a
		/// panel is never smaller than the round it judges and each seat of a round may be
		/// replaced once.
		#[pallet::constant]
		type MaxAssignees: Get<u32>;

		/// How long a provider keeps the remote input it fetched and the output it computed
		/// for others to fetch, counted from when it got them: a job's other assignees and
		/// escalation panels fetch the input from the providers that committed once its
		/// requester has gone offline, and the requester fetches the output. Every provider's
		/// worker keeps them at least this long, unless its operator's disk cap runs out first
		/// (the oldest go then). The chain does not check it yet: the audits issue will.
		#[pallet::constant]
		type DataRetention: Get<BlockNumberFor<Self>>;

		/// Largest input carried on chain, in bytes. Larger inputs are sent remote (their
		/// BLAKE3 root, size and source), and smaller ones only inline.
		#[pallet::constant]
		type MaxInlineInput: Get<u32>;

		/// Longest input source address (libp2p multiaddr), in bytes.
		#[pallet::constant]
		type MaxSourceLen: Get<u32>;

		/// Held from the requester for every job while it is open, times one more than the
		/// jobs it already has open.
		#[pallet::constant]
		type JobDeposit: Get<BalanceOf<Self>>;

		/// Held from the requester per byte of inline input while the job is open.
		#[pallet::constant]
		type ByteDeposit: Get<BalanceOf<Self>>;

		/// Shortest commit or reveal window a requester may ask for, in blocks; a commit window
		/// must also fit the job's work (`market::window`).
		#[pallet::constant]
		type MinWindow: Get<BlockNumberFor<Self>>;

		/// Longest commit window a requester may ask for, in blocks; a commit window may also
		/// last at most ten times what the job's work needs (`market::window`).
		#[pallet::constant]
		type MaxWindow: Get<BlockNumberFor<Self>>;

		/// Longest reveal window a requester may ask for, in blocks: a reveal needs no work,
		/// only time to get into a block despite a node's outage or a re-org, while every block
		/// of the window holds the slots of the assignees that revealed early.
		#[pallet::constant]
		type MaxRevealWindow: Get<BlockNumberFor<Self>>;

		/// How long a job (or an escalation) waits for providers before it fails.
		#[pallet::constant]
		type AssignmentTimeout: Get<BlockNumberFor<Self>>;

		/// The shortest wait before a job that found too few providers is tried again; later
		/// waits double, up to a quarter of `AssignmentTimeout` (`queue.rs`).
		#[pallet::constant]
		type RetryInterval: Get<BlockNumberFor<Self>>;

		/// Burnt from a job's deposit for each assignment attempt that finds no pool: the
		/// requester pays for the agenda work its waiting job causes (about what the attempt
		/// would cost as a transaction).
		#[pallet::constant]
		type RetryFee: Get<BalanceOf<Self>>;

		/// How many jobs of one kernel may wait for providers before a new one is taken only
		/// if a pool is free for it now (an escalation waits whatever the count): jobs that no
		/// pool can take yet never fill the market.
		#[pallet::constant]
		type MaxQueuedPerKernel: Get<u32>;

		/// Fraction of stake burnt from a provider that revealed a result other than the
		/// attested one, or committed and withheld its reveal.
		#[pallet::constant]
		type WrongResultSlash: Get<Perbill>;

		/// Fraction of stake burnt from an assignee that never committed to a job that was
		/// attested. Smaller than `WrongResultSlash`: a no-show wastes time, a wrong answer
		/// attacks the result.
		#[pallet::constant]
		type NoShowSlash: Get<Perbill>;

		/// Most jobs open at once.
		#[pallet::constant]
		type MaxOpenJobs: Get<u32>;

		/// Most agenda entries due in one block; more are put in the following blocks.
		#[pallet::constant]
		type MaxAgendaPerBlock: Get<u32>;

		/// Most weight `on_initialize` spends on the agenda in one block.
		#[pallet::constant]
		type AgendaWeightLimit: Get<Weight>;

		/// Blocks an ended job stays readable before it is pruned.
		#[pallet::constant]
		type Retention: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls and hooks, from its benchmarks.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need from the runtime (randomness for assignment).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// What the benchmarks need from the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper {
		/// Makes `Config::Randomness` return a value in the current block.
		fn set_randomness();
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl BenchmarkHelper for () {
		fn set_randomness() {}
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A requester's escrow: rewards and deposits of its open jobs.
		#[codec(index = 0)]
		JobEscrow,
	}

	/// The number the next job gets.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Every job, open or ended within the retention period.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobInfoOf<T>, OptionQuery>;

	/// Inline input of open jobs (removed when the job ends).
	#[pallet::storage]
	pub type JobInputs<T: Config> =
		StorageMap<_, Twox64Concat, JobId, BoundedVec<u8, T::MaxInlineInput>, OptionQuery>;

	/// Of an open job's deposit, the part held for its remote input ([`Config::InputDeposit`]
	/// per first-round seat), which its reporters share if the input never arrives (removed
	/// when the job ends).
	#[pallet::storage]
	pub type InputDeposits<T: Config> =
		StorageMap<_, Twox64Concat, JobId, BalanceOf<T>, OptionQuery>;

	/// The open jobs, and for each the block whose agenda holds its next deadline.
	#[pallet::storage]
	pub type OpenJobs<T: Config> =
		CountedStorageMap<_, Twox64Concat, JobId, BlockNumberFor<T>, OptionQuery>;

	/// For each block, the open jobs that have something due then: an assignment attempt or
	/// the end of a window.
	#[pallet::storage]
	pub type Agenda<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxAgendaPerBlock>,
		ValueQuery,
	>;

	/// How many jobs of each kernel wait for providers (in `Queued`; absent when none).
	#[pallet::storage]
	pub type QueuedJobs<T: Config> = StorageMap<_, Twox64Concat, KernelId, u32, ValueQuery>;

	/// How many jobs each requester has open (absent when none).
	#[pallet::storage]
	pub type OpenJobsOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Every VRF output so far, folded: `blake2_256(previous ++ parent block's VRF output)`,
	/// once a block. Draws are seeded from it, so one block author's knowledge of its own VRF
	/// output never decides a draw alone. `None` until the first VRF output.
	#[pallet::storage]
	pub type RandomnessMix<T: Config> = StorageValue<_, H256, OptionQuery>;

	/// The oldest block whose agenda `on_initialize` has not finished (for lack of weight).
	#[pallet::storage]
	pub type AgendaBacklog<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Ended jobs in the order they ended, to prune: position -> job.
	#[pallet::storage]
	pub type Ended<T: Config> = StorageMap<_, Twox64Concat, u64, JobId, OptionQuery>;

	/// Positions in [`Ended`]: the next to prune, and the next free.
	#[pallet::storage]
	pub type EndedRange<T: Config> = StorageValue<_, (u64, u64), ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was submitted and `escrow` held from the requester.
		Submitted {
			job: JobId,
			requester: T::AccountId,
			kernel: KernelId,
			replicas: u32,
			quorum: u32,
			reward: BalanceOf<T>,
			escrow: BalanceOf<T>,
		},
		/// No providers could be assigned yet, for `reason`; the job is tried again. `fee` was
		/// burnt from its deposit for the attempt (none for a declined seat's draw).
		AssignmentDeferred { job: JobId, reason: NoAssignmentOf<T>, fee: BalanceOf<T> },
		/// Providers were assigned (round 0, or an escalation) and must commit by block
		/// `commit_until`.
		Assigned {
			job: JobId,
			round: u8,
			providers: Vec<T::AccountId>,
			commit_until: BlockNumberFor<T>,
		},
		/// An assignee committed to its result.
		Committed { job: JobId, provider: T::AccountId },
		/// Commits are closed; assignees that committed reveal by block `reveal_until`.
		RevealsOpened { job: JobId, reveal_until: BlockNumberFor<T> },
		/// An assignee revealed its result hash, which matched its commitment.
		Revealed { job: JobId, provider: T::AccountId, result_hash: H256 },
		/// `result_hash` was revealed by `agreeing` assignees, at least the quorum.
		Attested { job: JobId, result_hash: H256, agreeing: u32 },
		/// No result reached the quorum; a fresh panel of `extra` providers will be drawn.
		Escalated { job: JobId, round: u8, extra: u32 },
		/// An assignee stepped out of the job before committing, paying `fee`.
		Declined { job: JobId, provider: T::AccountId, fee: BalanceOf<T> },
		/// The job ended with no result.
		Failed { job: JobId, reason: FailReason<BalanceOf<T>> },
		/// A provider was paid for revealing the attested result (or its share, for revealing
		/// in a job that ended without a quorum).
		Paid { job: JobId, provider: T::AccountId, amount: BalanceOf<T> },
		/// An assignee was slashed; the amount is burnt.
		Slashed { job: JobId, provider: T::AccountId, offence: Offence, amount: BalanceOf<T> },
		/// What was left of the escrow went back to the requester.
		Refunded { job: JobId, requester: T::AccountId, amount: BalanceOf<T> },
		/// The requester cancelled the job before assignment.
		Cancelled { job: JobId },
		/// `providers` were drawn into `round` for seats whose assignees declined; every
		/// assignee of the round may now commit until block `commit_until`.
		Replaced {
			job: JobId,
			round: u8,
			providers: Vec<T::AccountId>,
			commit_until: BlockNumberFor<T>,
		},
		/// The job failed `InputUnavailable`, and `provider`, which reported the input
		/// unavailable, was paid `amount` of the requester's input deposit.
		InputDepositShared { job: JobId, provider: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No job has this number (or it was pruned).
		UnknownJob,
		/// Only the requester may do this.
		NotRequester,
		/// The job has ended.
		JobEnded,
		/// Providers are already assigned; the job can no longer be cancelled.
		AlreadyAssigned,
		/// More params than any kernel takes.
		TooManyParams,
		/// The kernel takes a different number of params (see KERNELS.md).
		WrongParamCount,
		/// A param is outside its range in KERNELS.md.
		ParamOutOfRange,
		/// The input's size differs from what the params imply.
		InputSizeMismatch,
		/// The inline input breaks the kernel's contract (e.g. an mlp-i8 shift above 31).
		InvalidInput,
		/// Inline input is longer than `MaxInlineInput`; send its hash and a source instead.
		InlineInputTooLarge,
		/// No longer returned (remote inputs are taken since spec 117); kept so that later
		/// errors keep their indices.
		RemoteInputUnsupported,
		/// The source address is empty.
		SourceEmpty,
		/// The source address is longer than `MaxSourceLen`.
		SourceTooLong,
		/// The source address is not a libp2p multiaddr (printable ASCII starting with `/`).
		InvalidSource,
		/// `replicas` must be at least 1.
		ZeroReplicas,
		/// `replicas` is above `MaxReplicas`.
		TooManyReplicas,
		/// `quorum` must be more than half of `replicas`.
		QuorumTooLow,
		/// `quorum` cannot exceed `replicas`.
		QuorumAboveReplicas,
		/// The reward must be more than zero.
		ZeroReward,
		/// A window is shorter than `MinWindow`, or the commit window shorter than the job's
		/// work needs (see the quote's `min_commit_window`).
		WindowTooShort,
		/// The job's work needs a commit window longer than `MaxWindow`: split it.
		TooMuchWork,
		/// A window is longer than the job may have: a commit window over ten times what its
		/// work needs (the quote's `max_commit_window`) or over `MaxWindow`, a reveal window
		/// over `MaxRevealWindow`.
		WindowTooLong,
		/// Rewards and deposit add up to more than a balance can hold.
		EscrowOverflow,
		/// The requester's free balance cannot cover the escrow (and stay alive).
		InsufficientBalance,
		/// `MaxOpenJobs` jobs are open; try again when some have ended.
		TooManyOpenJobs,
		/// The requester has `MaxOpenJobsPerRequester` jobs open.
		TooManyOpenJobsForRequester,
		/// `MaxQueuedPerKernel` jobs of this kernel are waiting for providers, and this one
		/// would wait too (its pool is busy); try again when some were drawn.
		KernelQueueFull,
		/// No online provider lists the kernel.
		NoProviderSupportsKernel,
		/// Too few providers could ever take the job for a fair draw (see the quote's
		/// `pool_needed`).
		PoolTooSmall,
		/// Too few providers accept the reward for a fair draw (see the quote's `min_reward`).
		RewardTooLow,
		/// No agenda slot was free (cannot happen while `MaxOpenJobs` bounds the agenda).
		AgendaFull,
		/// The caller is not assigned to this job (in its current round).
		NotAssignee,
		/// The job is not taking commits: it is not assigned yet, or the window closed.
		CommitWindowClosed,
		/// The caller already committed.
		AlreadyCommitted,
		/// The caller already declined this job.
		AlreadyDeclined,
		/// Reveals open when every assignee committed or the commit window closed.
		RevealTooEarly,
		/// The reveal window closed.
		RevealWindowClosed,
		/// The caller did not commit, so it has nothing to reveal.
		NotCommitted,
		/// The caller already revealed.
		AlreadyRevealed,
		/// The result hash and salt do not match the caller's commitment.
		CommitmentMismatch,
		/// A remote input must be larger than `MaxInlineInput`: send one that fits inline.
		RemoteInputFitsInline,
		/// A remote input's root is all zeros: send the BLAKE3 root of its bytes.
		MissingRoot,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let mut meter = WeightMeter::with_limit(T::AgendaWeightLimit::get());
			meter.consume(Self::fold_randomness());
			Self::process_agenda(now, &mut meter);
			meter.consumed()
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut meter = WeightMeter::with_limit(remaining);
			Self::prune_ended(now, &mut meter);
			meter.consumed()
		}

		fn integrity_test() {
			assert!(T::MaxReplicas::get() > 0, "MaxReplicas must be positive");
			let largest_panel = T::MaxReplicas::get().max(T::EscalationReplicas::get());
			let most = T::MaxEscalations::get()
				.checked_mul(largest_panel)
				.and_then(|extra| extra.checked_add(T::MaxReplicas::get()))
				.and_then(|seats| seats.checked_mul(2))
				.expect("assignee bound overflows");
			assert!(
				T::MaxAssignees::get() >= most,
				"MaxAssignees below every round's seats and their replacements"
			);
			assert!(T::MaxEscalations::get() < u8::MAX as u32, "rounds are counted in a u8");
			assert!(T::MaxAgendaPerBlock::get() > 0, "MaxAgendaPerBlock must be positive");
			assert!(T::MinWindow::get() >= 1u32.into(), "windows must last a block");
			assert!(T::MinWindow::get() <= T::MaxWindow::get(), "MinWindow above MaxWindow");
			assert!(
				T::MinWindow::get() <= T::MaxRevealWindow::get(),
				"MinWindow above MaxRevealWindow"
			);
			assert!(T::RetryInterval::get() >= 1u32.into(), "RetryInterval must be positive");
			assert!(
				T::NoShowSlash::get() <= T::WrongResultSlash::get(),
				"a no-show must not cost more than a wrong result"
			);
			assert!(T::PoolFactor::get() >= 2, "a pool of k providers is no draw");
			assert!(T::DrawDelay::get() >= 2u32.into(), "the draw must mix a VRF nobody knew");
			assert!(
				T::DrawDelay::get() <= pallet_providers::DRAW_LOOKBACK.into(),
				"the registry keeps no view of the block a draw would read"
			);
			assert!(T::EscalationReplicas::get() > 0, "an escalation panel needs providers");
			assert!(T::MaxOpenJobsPerRequester::get() > 0, "requesters must be able to submit");
			assert!(T::MaxQueuedPerKernel::get() > 0, "jobs must be able to wait for providers");
			let agenda_entry =
				Self::agenda_block_weight().saturating_add(Self::agenda_item_weight());
			assert!(
				agenda_entry.all_lte(T::AgendaWeightLimit::get()),
				"one agenda entry does not fit the agenda's weight limit: nothing would progress"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits a job and holds `(replicas + MaxEscalations * panel seats) * reward` plus the
		/// deposit from the caller, where a panel has `max(replicas, EscalationReplicas)` seats;
		/// what no escalation used is refunded at the end.
		///
		/// Providers are drawn `DrawDelay` blocks later; `AssignmentDeferred` events (and the
		/// runtime API) say why while none can be. `params` and the input must follow the
		/// kernel's contract in KERNELS.md. A job no reward-compatible pool could take is
		/// refused (`NoProviderSupportsKernel`, `PoolTooSmall`, `RewardTooLow`), and so is one
		/// that would wait for a busy pool while `MaxQueuedPerKernel` jobs of its kernel wait
		/// (`KernelQueueFull`).
		///
		/// Charged, besides its own work, one assignment attempt: the agenda work it causes.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::submit(input.stored_len())
				.saturating_add(T::WeightInfo::process_assignment())
		)]
		pub fn submit(
			origin: OriginFor<T>,
			kernel: KernelId,
			params: Vec<u32>,
			input: InputSpec,
			replicas: u32,
			quorum: u32,
			reward: BalanceOf<T>,
			commit_window: BlockNumberFor<T>,
			reveal_window: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let request = submit::Request {
				kernel,
				params,
				input,
				replicas,
				quorum,
				reward,
				commit_window,
				reveal_window,
			};
			Self::do_submit(who, request).map(|_| ())
		}

		/// Cancels a job that has no providers yet and refunds its escrow.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel())]
		pub fn cancel(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel(who, job)
		}

		/// Commits the caller, an assignee, to a result:
		/// `commitment = blake2_256(result_hash ++ salt ++ caller's account id)`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::commit())]
		pub fn commit(origin: OriginFor<T>, job: JobId, commitment: H256) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit(who, job, commitment)
		}

		/// Reveals the result hash and salt the caller committed to. The last reveal of a round
		/// settles the job at once.
		///
		/// Charged up front for settling the most assignees; the fee for the assignees there
		/// really were (or for none, when the job is not settled yet) is refunded.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::reveal(T::MaxAssignees::get()))]
		pub fn reveal(
			origin: OriginFor<T>,
			job: JobId,
			result_hash: H256,
			salt: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let settled = Self::do_reveal(who, job, result_hash, salt)?;
			Ok(Some(T::WeightInfo::reveal(settled.max(1))).into())
		}

		/// Steps the caller, an assignee that has not committed, out of the job for
		/// `DeclineFee` of its stake, with no mark on its record: a worker that cannot fetch,
		/// fit or run the job says so instead of failing it as a no-show. A drawn assignee's
		/// seat is drawn again `DrawDelay` blocks later, once per seat (see `replace.rs`); a
		/// replacement's decline leaves its seat empty, and the round goes on without it.
		/// A remote input's decline is free and never replaced: it reports the input
		/// unavailable. Once those left in its first round cannot reach its quorum, the job
		/// fails `InputUnavailable`, and each of the first round's reporters is paid a seat's
		/// input deposit when at least two reported.
		///
		/// Charged for the dearest of its paths: drawing a replacement later, settling the
		/// most assignees (the last decline may end the round), or failing for the input and
		/// paying its reporters; the fee for what it really did is refunded.
		#[pallet::call_index(4)]
		#[pallet::weight(
			T::WeightInfo::decline(T::MaxAssignees::get())
				.max(T::WeightInfo::decline_replaced())
				.max(T::WeightInfo::decline_input_unavailable(T::MaxReplicas::get()))
		)]
		pub fn decline(origin: OriginFor<T>, job: JobId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let weight = match Self::do_decline(who, job)? {
				attest::Declined::Replacing => T::WeightInfo::decline_replaced(),
				attest::Declined::Settled(settled) => T::WeightInfo::decline(settled.max(2)),
				// Measured with a majority quorum (the most transfers); a unanimous one settles
				// as many assignees with fewer transfers, as `decline(n)` measures.
				attest::Declined::InputUnavailable(replicas) => {
					T::WeightInfo::decline_input_unavailable(replicas.max(2))
						.max(T::WeightInfo::decline(replicas.max(2)))
				}
			};
			Ok(Some(weight).into())
		}
	}
}
