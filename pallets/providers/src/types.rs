//! The records this pallet keeps, and the unbounded forms that callers send.
//!
//! Calls take plain `Vec`s so that an oversized field is refused with a named error
//! (`EndpointTooLong`, `TooManyKernels`, ...) instead of an opaque decoding failure; storage
//! keeps only the bounded forms.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use concord_primitives::kernel::KernelId;
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

use crate::view::{History, Seen};

extern crate alloc;
use alloc::vec::Vec;

/// Most kernels a provider can list. Every kernel of the protocol fits, with room to grow.
pub type MaxKernels = ConstU32<32>;

/// The graphics API a provider's device is driven through (what wgpu reports as its backend).
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
pub enum GpuBackend {
	Vulkan,
	Metal,
	Dx12,
	/// A software implementation (e.g. Mesa lavapipe) or the CPU reference.
	Cpu,
}

impl GpuBackend {
	/// Parses the lower-case name used in genesis presets and on the command line.
	pub fn from_name(name: &str) -> Option<Self> {
		match name {
			"vulkan" => Some(Self::Vulkan),
			"metal" => Some(Self::Metal),
			"dx12" => Some(Self::Dx12),
			"cpu" => Some(Self::Cpu),
			_ => None,
		}
	}
}

/// What a provider offers, as sent in `register` and `update` (unbounded; checked on entry).
#[derive(Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, PartialEq, TypeInfo)]
pub struct CapabilitiesInput {
	/// How the device is driven.
	pub backend: GpuBackend,
	/// The device name as the driver reports it, UTF-8 (e.g. "NVIDIA H100 80GB HBM3").
	pub device_name: Vec<u8>,
	/// Device memory in MiB; requesters' jobs must fit in it.
	pub memory_mib: u32,
	/// The kernels this provider runs, each at most once.
	pub kernels: Vec<KernelId>,
	/// How many jobs the provider accepts at once; the chain never assigns more.
	pub max_concurrent_jobs: u32,
}

/// What a provider offers, as stored.
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
#[scale_info(skip_type_params(MaxDeviceNameLen))]
pub struct Capabilities<MaxDeviceNameLen: frame_support::traits::Get<u32>> {
	pub backend: GpuBackend,
	pub device_name: BoundedVec<u8, MaxDeviceNameLen>,
	pub memory_mib: u32,
	pub kernels: BoundedVec<KernelId, MaxKernels>,
	pub max_concurrent_jobs: u32,
}

impl<N: frame_support::traits::Get<u32>> Capabilities<N> {
	/// Whether the provider lists `kernel`.
	pub fn supports(&self, kernel: KernelId) -> bool {
		self.kernels.contains(&kernel)
	}
}

/// Whether a provider takes new jobs.
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
pub enum ProviderStatus<BlockNumber> {
	/// Eligible for new jobs.
	Online,
	/// Registered and staked, but takes no new jobs (by choice, or because slashing left its
	/// stake under the minimum).
	Offline,
	/// Leaving: takes no new jobs, and may withdraw its stake from `unlock_at` on, once it has
	/// no job in progress. Its stake stays slashable until then.
	Unbonding { unlock_at: BlockNumber },
}

/// Why a provider went offline.
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
pub enum OfflineReason {
	/// The provider asked to.
	Requested,
	/// A slash left its stake under the minimum; `bond_extra` then `go_online` to return.
	StakeBelowMinimum,
}

/// Track record kept for the job pallets: they update it on every verdict, and assignment
/// weights providers by it.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Default,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub struct Reputation {
	/// Jobs where the provider revealed the attested result.
	pub agreed: u32,
	/// Jobs where the provider revealed a result other than the attested one, or committed
	/// and never revealed (a withheld reveal counts as a wrong result).
	pub deviated: u32,
	/// Jobs where the provider never committed in time.
	pub no_shows: u32,
}

/// How a provider did on one job, as reported by the job pallets.
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
pub enum JobOutcome {
	Agreed,
	Deviated,
	NoShow,
	/// Revealed a result, but the job ended without a quorum, so no verdict on it: the record
	/// is unchanged.
	Inconclusive,
}

impl Reputation {
	/// Counts one more outcome; counters saturate rather than wrap.
	pub fn record(&mut self, outcome: JobOutcome) {
		let counter = match outcome {
			JobOutcome::Agreed => &mut self.agreed,
			JobOutcome::Deviated => &mut self.deviated,
			JobOutcome::NoShow => &mut self.no_shows,
			JobOutcome::Inconclusive => return,
		};
		*counter = counter.saturating_add(1);
	}
}

/// What assignment reads of a provider besides its kernels and record: whether it takes jobs,
/// its stake (its weight) and its price (its eligibility).
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Default,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub struct Terms<Balance> {
	pub online: bool,
	pub stake: Balance,
	pub price_per_work_unit: Balance,
}

/// One provider in a kernel's list of those assignment may see.
#[derive(
	Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo,
)]
pub struct Listing<AccountId, BlockNumber> {
	pub provider: AccountId,
	/// `None` while the provider is online. Once it is not, the block from which no draw can
	/// see it any more (its online terms are out of force): from then on the entry is dead,
	/// skipped without reading the provider's record and dropped when the list needs room, so
	/// a provider that left holds no place in the list.
	pub until: Option<BlockNumber>,
}

impl<AccountId, BlockNumber: PartialOrd> Listing<AccountId, BlockNumber> {
	/// Whether a draw at block `now` may still see the provider.
	pub fn is_live(&self, now: &BlockNumber) -> bool {
		self.until.as_ref().is_none_or(|until| now < until)
	}
}

/// Everything the chain knows about one provider.
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
#[scale_info(skip_type_params(MaxDeviceNameLen, MaxEndpointLen))]
pub struct ProviderInfo<Balance, BlockNumber, MaxDeviceNameLen, MaxEndpointLen>
where
	Balance: Clone + core::fmt::Debug + Eq,
	BlockNumber: Clone + core::fmt::Debug + Eq,
	MaxDeviceNameLen: frame_support::traits::Get<u32>,
	MaxEndpointLen: frame_support::traits::Get<u32>,
{
	/// Stake held from the provider's account (under `HoldReason::ProviderStake`).
	pub stake: Balance,
	pub capabilities: Capabilities<MaxDeviceNameLen>,
	/// Where requesters fetch results: multiaddrs separated by commas, a libp2p one (with
	/// `/p2p/<peer id>` once known) and one ending in `/http` for browsers; either may be left
	/// out.
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// Price per work unit (see KERNELS.md), in the chain's smallest balance unit.
	pub price_per_work_unit: Balance,
	pub status: ProviderStatus<BlockNumber>,
	/// Jobs assigned to the provider whose slots it still holds: it has work left in them.
	pub active_jobs: u32,
	/// Jobs whose slots the provider gave back when their round ended without a quorum, and
	/// whose verdict is still to come (see [`crate::ProviderRegistry::free_slot`]). Its stake
	/// stays bound to them: it cannot withdraw until none is left.
	pub awaiting_verdicts: u32,
	/// Job slots ever taken, wrapping: with the history's count, how many a draw reading an
	/// earlier block must count as taken since (see [`Seen::has_room_after`]).
	pub jobs_begun: u32,
	pub reputation: Reputation,
	pub registered_at: BlockNumber,
	/// The terms assignment uses until `terms_changed_at + ActivationDelay`; from then on it
	/// uses the record's own (see [`Self::terms`]). A change reaches assignment only after
	/// that delay, so nobody can tune the pool for a draw whose randomness it already knows.
	pub prior_terms: Terms<Balance>,
	/// When the provider last changed its status, stake or price.
	pub terms_changed_at: BlockNumber,
	/// What draws read of this record as it stood before each of its changes in the last
	/// [`crate::view::DRAW_LOOKBACK`] blocks (see [`crate::view`]).
	pub history: History<Balance, BlockNumber>,
}

impl<Balance, BlockNumber, N, E> ProviderInfo<Balance, BlockNumber, N, E>
where
	Balance: Clone + core::fmt::Debug + Eq,
	BlockNumber: Clone + core::fmt::Debug + Eq,
	N: frame_support::traits::Get<u32>,
	E: frame_support::traits::Get<u32>,
{
	/// The record's own terms, as they will reach assignment once the delay is over.
	pub fn terms(&self) -> Terms<Balance> {
		Terms {
			online: self.status == ProviderStatus::Online,
			stake: self.stake.clone(),
			price_per_work_unit: self.price_per_work_unit.clone(),
		}
	}

	/// What a draw reads of the record as it is now.
	pub fn seen(&self) -> Seen<Balance, BlockNumber> {
		Seen {
			terms: self.terms(),
			prior_terms: self.prior_terms.clone(),
			terms_changed_at: self.terms_changed_at.clone(),
			active_jobs: self.active_jobs,
			awaiting_verdicts: self.awaiting_verdicts,
			jobs_begun: self.jobs_begun,
			max_concurrent_jobs: self.capabilities.max_concurrent_jobs,
			memory_mib: self.capabilities.memory_mib,
			reputation: self.reputation,
		}
	}

	/// Whether the provider belongs in the kernel lists: it is online, or its prior terms
	/// (still in force, or not yet replaced) were. Exactly these providers have entries there,
	/// though a dead one may have been dropped already (see [`Listing::until`]).
	pub fn is_listed(&self) -> bool {
		self.status == ProviderStatus::Online || self.prior_terms.online
	}
}
