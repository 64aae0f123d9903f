//! The interface the job pallets use: who can take a job, and how a verdict touches a provider.

use crate::types::JobOutcome;
use concord_primitives::kernel::KernelId;
use frame_support::pallet_prelude::DispatchResult;
use sp_runtime::Perbill;

extern crate alloc;
use alloc::vec::Vec;

/// A provider that could take a job but for its free slots, with what assignment weighs it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate<AccountId, Balance> {
	pub account: AccountId,
	/// Whether it has a free job slot now. A busy provider is not drawn, but its weight still
	/// counts in the live weight a pool must hold half of (see
	/// `concord_primitives::market::admission`): keeping honest providers busy must not hand
	/// the pool to whoever stays free.
	pub has_room: bool,
	pub stake: Balance,
	pub price_per_work_unit: Balance,
	/// The provider's reputation, see [`crate::types::Reputation`].
	pub agreed: u32,
	pub deviated: u32,
	pub no_shows: u32,
}

/// Why providers that list a kernel could not take a job, counted over all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shortfall {
	/// Providers that list the kernel and whose terms in force are online.
	pub listed: u32,
	/// Of those, how many are at their concurrency cap.
	pub at_capacity: u32,
}

/// Whether an assignee being settled still holds its job slot, or gave it back when its round
/// ended without a quorum ([`ProviderRegistry::free_slot`]) and has only waited for the
/// verdict since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
	Held,
	Freed,
}

/// The provider registry as the job pallets see it.
pub trait ProviderRegistry<AccountId, Balance, BlockNumber> {
	/// Providers that list `kernel`, declared at least `memory_mib` of device memory and whose
	/// terms in force are online, with those terms (see [`crate::Terms`]) and whether they
	/// have a free job slot, in the order they were listed, all as the registry stood at the
	/// end of block `as_of` (the current block, or one at most [`crate::DRAW_LOOKBACK`]
	/// before it: see [`crate::view`]). Bounded by the registry's `MaxProvidersPerKernel`.
	/// Also says how many were passed over, and why.
	fn candidates(
		kernel: KernelId,
		memory_mib: u32,
		as_of: BlockNumber,
	) -> (Vec<Candidate<AccountId, Balance>>, Shortfall);

	/// Takes one job slot of `who` for a draw reading the registry as of the end of block
	/// `as_of`. Fails unless `who` lists `kernel`, was online in the terms in force then, and
	/// had a free slot then that no job begun since has taken. What changed since (a slot
	/// freed, a slash, a pending change of terms restarted) does not count, so nobody who
	/// knows the draw's seed can make a pick able or unable to take the job.
	fn begin_job(who: &AccountId, kernel: KernelId, as_of: BlockNumber) -> DispatchResult;

	/// Frees the job slot of `who` in a job it has no more to do in, whose verdict is still to
	/// come (its round ended without a quorum and the job escalated): the slot may take
	/// another job, but `who` cannot withdraw until [`Self::end_job`] settles this one with
	/// [`Slot::Freed`].
	fn free_slot(who: &AccountId);

	/// Records how the job went for `who` and ends its bond to the job: frees its slot if it
	/// still holds one ([`Slot::Held`]), or ends the wait for this verdict ([`Slot::Freed`]).
	/// A provider that left since keeps its record until it withdraws, so this never fails for
	/// an assignee.
	fn end_job(who: &AccountId, outcome: JobOutcome, slot: Slot);

	/// Checks that every provider holds exactly the job slots and awaits exactly the verdicts
	/// that `expected` counts for it over the open jobs, as `(held, awaiting)`, and none where
	/// it has no entry: the job pallet counts, the registry keeps the counts (O(providers):
	/// try-runtime and tests only).
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	fn check_slots(
		expected: &alloc::collections::BTreeMap<AccountId, (u32, u32)>,
	) -> Result<(), sp_runtime::TryRuntimeError>
	where
		AccountId: Ord;

	/// Takes `fraction` of `who`'s stake and gives it to `beneficiary` (or burns it when
	/// `None`). Returns the amount slashed. A provider whose stake falls under the minimum goes
	/// offline, and out of every view of this block and later at once (a draw reading an
	/// earlier block still sees, and may draw, it).
	fn slash(who: &AccountId, fraction: Perbill, beneficiary: Option<&AccountId>) -> Balance;

	/// Burns up to `amount` of `who`'s stake (a fixed fee, such as declining a job), with the
	/// same consequences as a slash. Returns the amount taken.
	fn charge(who: &AccountId, amount: Balance) -> Balance;

	/// Funds `who` and registers it with the minimum stake, every kernel, room for any number
	/// of jobs, the longest endpoint and `price`, so that the job pallets' benchmarks can build
	/// their worst cases. Fails when the registry is full.
	#[cfg(feature = "runtime-benchmarks")]
	fn register_for_benchmarks(who: &AccountId, price: Balance) -> DispatchResult;
}
