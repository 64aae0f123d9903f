//! The records this pallet keeps, the unbounded forms that callers send, and the views the
//! runtime API returns.
//!
//! Calls take plain `Vec`s so that an oversized field is refused with a named error
//! (`InlineInputTooLarge`, `SourceTooLong`, ...) instead of an opaque decoding failure; storage
//! keeps only the bounded forms.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use concord_primitives::{
	kernel::{KernelId, MAX_PARAMS},
	market::panel::Panel,
};
use frame_support::{
	pallet_prelude::ConstU32, traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound,
	PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

extern crate alloc;
use alloc::vec::Vec;

/// A job's number, given in submission order from 0.
pub type JobId = u64;

/// A job's kernel params, as stored (KERNELS.md never needs more than [`MAX_PARAMS`]).
pub type Params = BoundedVec<u32, ConstU32<MAX_PARAMS>>;

/// Where a job's input comes from, as sent in `submit`.
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
pub enum InputSpec {
	/// The input bytes themselves, up to `MaxInlineInput`; a deposit per byte is held while
	/// they are stored.
	Inline(Vec<u8>),
	/// A blob of `size` bytes (more than `MaxInlineInput`) whose BLAKE3 root is `hash`,
	/// served by the requester at `source` (a libp2p multiaddr ending in `/p2p/<peer id>`)
	/// on the worker's blob protocol, to anyone who names the root.
	Remote { hash: H256, size: u64, source: Vec<u8> },
}

impl InputSpec {
	/// Bytes this input puts in storage: the inline bytes, or the source address. Weighs
	/// `submit`.
	pub fn stored_len(&self) -> u32 {
		let len = match self {
			Self::Inline(bytes) => bytes.len(),
			Self::Remote { source, .. } => source.len(),
		};
		u32::try_from(len).unwrap_or(u32::MAX)
	}
}

/// Where a job's input comes from, as stored. The chain stores inline bytes separately
/// ([`crate::JobInputs`]) until the job ends; either way the input is known by its hash.
#[derive(
	CloneNoBound,
	DebugNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	EqNoBound,
	MaxEncodedLen,
	PartialEqNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxSourceLen))]
pub struct InputRef<MaxSourceLen: Get<u32>> {
	/// blake2-256 of the input bytes when inline (computed by the chain), their BLAKE3 root
	/// when remote (the requester's claim, which every piece fetched is verified against);
	/// workers check it before running the kernel.
	pub hash: H256,
	pub size: u64,
	/// Where to fetch it: `None` for inline input (read it from chain state).
	pub source: Option<BoundedVec<u8, MaxSourceLen>>,
}

impl<MaxSourceLen: Get<u32>> InputRef<MaxSourceLen> {
	/// Whether providers fetch the input from its source rather than read it from chain state.
	/// A remote input may be unavailable: its declines are free and never replaced, and its
	/// round fails once too few assignees are left for its quorum.
	pub fn is_remote(&self) -> bool {
		self.source.is_some()
	}

	/// The bytes providers must fetch before they can compute: 0 for inline input.
	pub fn remote_bytes(&self) -> u64 {
		if self.is_remote() {
			self.size
		} else {
			0
		}
	}
}

/// What the requester asks for, fixed at submission.
#[derive(
	CloneNoBound,
	DebugNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	EqNoBound,
	MaxEncodedLen,
	PartialEqNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxSourceLen))]
pub struct JobSpec<Balance, BlockNumber, MaxSourceLen>
where
	Balance: Clone + core::fmt::Debug + Eq,
	BlockNumber: Clone + core::fmt::Debug + Eq,
	MaxSourceLen: Get<u32>,
{
	pub kernel: KernelId,
	pub params: Params,
	pub input: InputRef<MaxSourceLen>,
	/// Work units of the job (KERNELS.md); a provider's cost is its price times this.
	pub work_units: u64,
	/// Providers assigned in the first round.
	pub replicas: u32,
	/// Matching reveals needed to attest a result; more than half of `replicas`.
	pub quorum: u32,
	/// Who judges the job when a round ends without a quorum: a fresh panel no smaller and no
	/// more lenient than the first round, fixed (and its rewards held) at submission.
	pub panel: Panel,
	/// Paid to each provider that reveals the attested result.
	pub reward: Balance,
	/// Blocks assignees have to commit, from assignment.
	pub commit_window: BlockNumber,
	/// Blocks assignees have to reveal, from the end of the commit phase.
	pub reveal_window: BlockNumber,
}

impl<Balance, BlockNumber, MaxSourceLen> JobSpec<Balance, BlockNumber, MaxSourceLen>
where
	Balance: Clone + core::fmt::Debug + Eq,
	BlockNumber: Clone + core::fmt::Debug + Eq,
	MaxSourceLen: Get<u32>,
{
	/// The seats and quorum of round `round`: the replicas and quorum asked for in the first,
	/// the panel in every escalation.
	pub fn shape_of_round(&self, round: u8) -> Panel {
		if round == 0 {
			Panel { seats: self.replicas, quorum: self.quorum }
		} else {
			self.panel
		}
	}
}

/// Where a job is in its life. The open phases come first.
#[derive(
	Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo,
)]
pub enum Phase<BlockNumber, Balance> {
	/// Waiting for providers: tried each block until `until`, then the job fails.
	Queued { until: BlockNumber },
	/// The assignees of the current round commit until `until` (inclusive).
	Committing { until: BlockNumber },
	/// Assignees that committed reveal until `until` (inclusive).
	Revealing { until: BlockNumber },
	/// A quorum revealed `result_hash`; providers were paid and the rest refunded.
	Attested { result_hash: H256 },
	/// The job ended with no result and a refund.
	Failed { reason: FailReason<Balance> },
	/// The requester cancelled before assignment and was refunded.
	Cancelled,
}

impl<BlockNumber, Balance> Phase<BlockNumber, Balance> {
	/// Whether the job can still change (and holds escrow).
	pub fn is_open(&self) -> bool {
		matches!(self, Self::Queued { .. } | Self::Committing { .. } | Self::Revealing { .. })
	}
}

/// Why no provider took a job (or an escalation of it). Computed from the registry at each
/// attempt, so a requester is told what to change instead of waiting on a silent timeout.
#[derive(
	Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo,
)]
pub enum NoAssignment<Balance> {
	/// No online provider lists the kernel.
	NoProviderSupportsKernel,
	/// Providers list the kernel, but too few have a free job slot right now: of `listed`
	/// online providers, `at_capacity` are full, and a pool of `needed` was needed.
	AllAtCapacity { listed: u32, at_capacity: u32, needed: u32 },
	/// Too few providers, busy or free, accept the reward for a pool of `needed` that holds
	/// half the live weight, and half of it beyond the heaviest
	/// (`concord_primitives::market::admission`): offering `min_reward`
	/// per replica would have been enough.
	PriceTooLow { min_reward: Balance },
	/// Too few providers could take the job at all (counting neither the requester, nor
	/// providers already assigned to it, nor devices with too little memory): `eligible`,
	/// where the draw needs a pool of `needed` (`PoolFactor` times the providers wanted).
	PoolTooSmall { eligible: u32, needed: u32 },
}

/// Why a job ended without a result.
#[derive(
	Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo,
)]
pub enum FailReason<Balance> {
	/// No providers could be assigned before the assignment deadline, for this reason.
	Unassigned(NoAssignment<Balance>),
	/// After every escalation allowed, no result hash reached the quorum.
	NoQuorum,
	/// A panel attested `attested`, but more assignees over every round revealed another
	/// hash: nothing shows who was right, so nobody is slashed.
	Contested { attested: H256 },
	/// Its input is remote and so many assignees of a round declined it (for free) that the
	/// rest could not reach the quorum: the input was not available to them.
	InputUnavailable,
}

/// What one assignee has done so far.
#[derive(
	Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo,
)]
pub struct Assignment<AccountId> {
	pub provider: AccountId,
	/// The round it was assigned in: 0 for the first, 1.. for escalations.
	pub round: u8,
	pub commitment: Option<H256>,
	pub revealed: Option<H256>,
	/// Declined the job before committing (paying `DeclineFee`); settled then, and not
	/// counted in any verdict.
	pub declined: bool,
	/// How the job went for this provider, once settled.
	pub outcome: Option<pallet_providers::JobOutcome>,
}

/// Everything the chain knows about one job.
#[derive(
	CloneNoBound,
	DebugNoBound,
	Decode,
	DecodeWithMemTracking,
	Encode,
	EqNoBound,
	MaxEncodedLen,
	PartialEqNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxSourceLen, MaxAssignees))]
pub struct JobInfo<AccountId, Balance, BlockNumber, MaxSourceLen, MaxAssignees>
where
	AccountId: Clone + core::fmt::Debug + Eq,
	Balance: Clone + core::fmt::Debug + Eq,
	BlockNumber: Clone + core::fmt::Debug + Eq,
	MaxSourceLen: Get<u32>,
	MaxAssignees: Get<u32>,
{
	pub requester: AccountId,
	pub spec: JobSpec<Balance, BlockNumber, MaxSourceLen>,
	pub phase: Phase<BlockNumber, Balance>,
	/// The current round: 0, or the number of escalations so far.
	pub round: u8,
	/// Every provider assigned, in every round, in the order drawn.
	pub assignees: BoundedVec<Assignment<AccountId>, MaxAssignees>,
	/// Still held from the requester for this job: the rewards of `replicas` and of every
	/// escalation the job may need, plus the deposit, less what was paid. Zero once the job
	/// ended.
	pub escrow: Balance,
	/// Of `escrow`, the storage deposit (refunded when the job ends).
	pub deposit: Balance,
	/// Rewards paid out of the escrow so far.
	pub paid: Balance,
	/// The last reason an assignment attempt found no providers (cleared on assignment).
	pub unassigned: Option<NoAssignment<Balance>>,
	pub submitted_at: BlockNumber,
	/// When the job reached its final phase.
	pub ended_at: Option<BlockNumber>,
}

/// Why an assignee was slashed.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub enum Offence {
	/// Revealed a result other than the attested one.
	WrongResult,
	/// Committed and then did not reveal: costs as much as a wrong result, so that a cheater
	/// who sees it is losing gains nothing by keeping quiet.
	Withheld,
	/// Never committed (nor declined) in time.
	NoShow,
}

/// What a provider still has to do for a job (runtime API).
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
pub enum Duty<BlockNumber> {
	/// Run the job and commit to the result hash by block `until`.
	Commit { until: BlockNumber },
	/// Reveal the committed result hash and salt by block `until`.
	Reveal { until: BlockNumber },
}

/// A job and what a provider has to do for it (runtime API).
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
pub struct PendingDuty<BlockNumber> {
	pub job: JobId,
	pub duty: Duty<BlockNumber>,
}

/// What a job would cost now (runtime API).
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
pub struct Quote<Balance> {
	pub work_units: u64,
	/// The smallest reward per replica at which `pool_needed` providers would accept the job
	/// now (the draw's pool), or why no reward would do.
	pub min_reward: Result<Balance, NoAssignment<Balance>>,
	/// Providers that could take the job now at `min_reward` (at least `pool_needed`).
	pub pool: u32,
	/// The pool the draw needs: `PoolFactor` times `replicas`.
	pub pool_needed: u32,
	/// The weight of the pool at `min_reward` as a share of the live weight: of every
	/// provider that could take the job but for price and free slots (at least a half).
	pub pool_share: Perbill,
	/// For coalitions of providers holding a given share of the live weight, whatever their
	/// prices: the most their chance of taking a quorum of the job's first round can be, for
	/// the quorum asked, in any pool the draw may admit while the market is as now (the
	/// lightest admitted pool, with the heaviest providers counted as drawn). Empty when no
	/// provider could take the job.
	pub capture: Vec<Capture>,
	/// Replicas whose rewards are held on top of `replicas`, for the escalations a job may
	/// need (refunded when unused).
	pub escalation_replicas: u32,
	/// The shortest commit window this job may ask for, in blocks.
	pub min_commit_window: u32,
	/// The longest commit window this job may ask for, in blocks: ten times the shortest, at
	/// most the runtime's `MaxWindow` (so below the shortest for a job too large for any
	/// window, which `submit` refuses as `TooMuchWork`).
	pub max_commit_window: u32,
	/// The deposit held (and refunded at the end) for the input sent inline, or `None` when
	/// it is too large to send inline.
	pub inline_deposit: Option<Balance>,
	/// The deposit for a remote input: the job's, and the input deposit that the assignees
	/// reporting the input unavailable share if the job fails for it (given back otherwise).
	pub remote_deposit: Balance,
	pub input_len: u64,
	pub output_len: u64,
}

/// A bound the quote gives: a coalition holding `coalition` of the live weight takes a quorum
/// of the job's seats with a chance of at most `chance` (runtime API).
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
pub struct Capture {
	pub coalition: Perbill,
	pub chance: Perbill,
}

/// Why a quote could not be given (runtime API).
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
pub enum QuoteError {
	/// The params break the kernel's contract (see KERNELS.md).
	InvalidParams,
	/// `replicas` is zero or above `MaxReplicas`.
	InvalidReplicas,
	/// `quorum` is not a majority of `replicas`, or above it.
	InvalidQuorum,
}
