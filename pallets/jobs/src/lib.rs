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
//! - **Assignment**, in `on_initialize` of the next block: `k` distinct eligible providers
//!   (online, listing the kernel, with a free job slot, whose price times the job's work units
//!   is within the reward, not the requester), drawn without replacement, weighted by stake and
//!   track record ([`concord_primitives::market::weight`]), from BABE's VRF output of the
//!   block that included the job, which the requester could not know when it submitted. When
//!   too few providers qualify, the job waits and is retried, and the reason is recorded and
//!   announced ([`NoAssignment`]); it fails with a refund at its assignment deadline.
//! - [`Pallet::commit`]: each assignee posts `blake2_256(result_hash ++ salt ++ account)`
//!   ([`concord_primitives::market::commitment`]) within the commit window.
//! - [`Pallet::reveal`]: once every assignee committed, or the commit window closed, those that
//!   committed reveal `(result_hash, salt)` within the reveal window.
//! - **Verdict**, as soon as every committed assignee revealed or the reveal window closed
//!   ([`concord_primitives::market::verdict`]): the hash revealed by at least `q` assignees is
//!   attested. Agreeing providers are paid `reward` from the escrow; providers that revealed
//!   another hash lose [`Config::WrongResultSlash`] of their stake, and assignees that did not
//!   commit or reveal lose the smaller [`Config::NoShowSlash`], both to the requester; the rest
//!   of the escrow and the deposit go back to the requester. Without a quorum the job escalates:
//!   [`Config::EscalationReplicas`] more providers are assigned (their rewards held from the
//!   requester) and the reveals of every round are counted together, up to
//!   [`Config::MaxEscalations`] times; then the job fails and the escrow is refunded.
//!
//! ## Bounds
//!
//! Deadlines live in a block-indexed agenda ([`Agenda`]), one entry per open job, processed in
//! `on_initialize` under a weight limit; what does not fit waits for the next block
//! ([`AgendaBacklog`]). Ended jobs stay readable for [`Config::Retention`] blocks and are
//! pruned in `on_idle` from a queue in the order they ended. Open jobs are bounded by
//! [`Config::MaxOpenJobs`], assignees per job by [`Config::MaxAssignees`], and the candidates
//! for a kernel by the provider registry's own bound.
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
mod settle;
mod submit;
pub mod types;
pub mod weights;

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

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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
		type Providers: ProviderRegistry<Self::AccountId, BalanceOf<Self>>;

		/// Randomness for assignment: BABE's VRF output of the parent block
		/// (`pallet_babe::ParentBlockRandomness`). `None` (no VRF output yet) defers assignment
		/// by a block.
		type Randomness: Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

		/// Most replicas a requester may ask for.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;

		/// Providers added by each escalation of a job without a quorum.
		#[pallet::constant]
		type EscalationReplicas: Get<u32>;

		/// Most escalations of one job before it fails.
		#[pallet::constant]
		type MaxEscalations: Get<u32>;

		/// Most providers assigned to one job over every round: at least
		/// `MaxReplicas + MaxEscalations * EscalationReplicas`.
		#[pallet::constant]
		type MaxAssignees: Get<u32>;

		/// Largest input carried on chain, in bytes; larger inputs are fetched from the
		/// requester over libp2p.
		#[pallet::constant]
		type MaxInlineInput: Get<u32>;

		/// Longest input source address (libp2p multiaddr), in bytes.
		#[pallet::constant]
		type MaxSourceLen: Get<u32>;

		/// Held from the requester for every job while it is open.
		#[pallet::constant]
		type JobDeposit: Get<BalanceOf<Self>>;

		/// Held from the requester per byte of inline input while the job is open.
		#[pallet::constant]
		type ByteDeposit: Get<BalanceOf<Self>>;

		/// Shortest commit or reveal window a requester may ask for, in blocks.
		#[pallet::constant]
		type MinWindow: Get<BlockNumberFor<Self>>;

		/// Longest commit or reveal window a requester may ask for, in blocks.
		#[pallet::constant]
		type MaxWindow: Get<BlockNumberFor<Self>>;

		/// How long a job (or an escalation) waits for providers before it fails.
		#[pallet::constant]
		type AssignmentTimeout: Get<BlockNumberFor<Self>>;

		/// Blocks between assignment attempts of a job that found too few providers.
		#[pallet::constant]
		type RetryInterval: Get<BlockNumberFor<Self>>;

		/// Fraction of stake taken from a provider that revealed a result other than the
		/// attested one, given to the requester.
		#[pallet::constant]
		type WrongResultSlash: Get<Perbill>;

		/// Fraction of stake taken from an assignee that did not commit or reveal in time,
		/// given to the requester. Smaller than `WrongResultSlash`: a no-show wastes time, a
		/// wrong answer attacks the result.
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
		/// No providers could be assigned yet, for `reason`; the job is tried again.
		AssignmentDeferred { job: JobId, reason: NoAssignmentOf<T> },
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
		/// No result reached the quorum; `extra` more providers will be assigned.
		Escalated { job: JobId, round: u8, extra: u32 },
		/// The job ended with no result.
		Failed { job: JobId, reason: FailReason<BalanceOf<T>> },
		/// A provider was paid for revealing the attested result.
		Paid { job: JobId, provider: T::AccountId, amount: BalanceOf<T> },
		/// An assignee was slashed, to the requester.
		Slashed { job: JobId, provider: T::AccountId, offence: Offence, amount: BalanceOf<T> },
		/// What was left of the escrow went back to the requester.
		Refunded { job: JobId, requester: T::AccountId, amount: BalanceOf<T> },
		/// The requester cancelled the job before assignment.
		Cancelled { job: JobId },
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
		/// A window is shorter than `MinWindow`.
		WindowTooShort,
		/// A window is longer than `MaxWindow`.
		WindowTooLong,
		/// Rewards and deposit add up to more than a balance can hold.
		EscrowOverflow,
		/// The requester's free balance cannot cover the escrow (and stay alive).
		InsufficientBalance,
		/// `MaxOpenJobs` jobs are open; try again when some have ended.
		TooManyOpenJobs,
		/// No agenda slot was free (cannot happen while `MaxOpenJobs` bounds the agenda).
		AgendaFull,
		/// The caller is not assigned to this job (in its current round).
		NotAssignee,
		/// The job is not taking commits: it is not assigned yet, or the window closed.
		CommitWindowClosed,
		/// The caller already committed.
		AlreadyCommitted,
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
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let mut meter = WeightMeter::with_limit(T::AgendaWeightLimit::get());
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
			let most = T::MaxEscalations::get()
				.checked_mul(T::EscalationReplicas::get())
				.and_then(|extra| extra.checked_add(T::MaxReplicas::get()))
				.expect("assignee bound overflows");
			assert!(T::MaxAssignees::get() >= most, "MaxAssignees below every round's total");
			assert!(T::MaxEscalations::get() < u8::MAX as u32, "rounds are counted in a u8");
			assert!(T::MaxAgendaPerBlock::get() > 0, "MaxAgendaPerBlock must be positive");
			assert!(T::MinWindow::get() >= 1u32.into(), "windows must last a block");
			assert!(T::MinWindow::get() <= T::MaxWindow::get(), "MinWindow above MaxWindow");
			assert!(T::RetryInterval::get() >= 1u32.into(), "RetryInterval must be positive");
			assert!(
				T::NoShowSlash::get() <= T::WrongResultSlash::get(),
				"a no-show must not cost more than a wrong result"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits a job and holds `replicas * reward` plus the deposit from the caller.
		///
		/// Providers are assigned from the next block on; `AssignmentDeferred` events (and the
		/// runtime API) say why while none can be. `params` and the input must follow the
		/// kernel's contract in KERNELS.md.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit(input.stored_len()))]
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
	}
}
