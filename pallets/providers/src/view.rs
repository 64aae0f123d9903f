//! What a draw sees of a provider: the registry as it stood at the end of a block a few blocks
//! back, never the live state.
//!
//! A draw's seed is known, to the author of the block before it, before the draw runs; every
//! input the draw reads must therefore be fixed before that. Terms already wait the activation
//! delay; the rest (free slots, reputation, stake after a slash or fee, and the terms in force
//! themselves, which a new change restarts) moves with every verdict, decline and reveal. So
//! each record keeps, for every block of the last [`DRAW_LOOKBACK`] in which it changed, what
//! the draw reads as it stood just before that block ([`Seen`]): the view at block `b` is the
//! first entry written after `b`, or the record itself if nothing changed since. No job keeps a
//! copy of its pool, and the history is at most `DRAW_LOOKBACK` entries a provider.

use crate::types::{Reputation, Terms};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::traits::Saturating;

/// How many blocks back a draw may read the registry. The jobs pallet's draw delay is at most
/// this (its `integrity_test`), and unbonding outlasts the activation delay by at least this,
/// so a provider a view may still see is never removed.
pub const DRAW_LOOKBACK: u32 = 4;

/// The bound of a record's history: one entry for each of the last [`DRAW_LOOKBACK`] blocks.
pub type MaxSeen = ConstU32<DRAW_LOOKBACK>;

/// Everything a draw reads of a provider's record.
#[derive(
	Clone, Debug, Decode, DecodeWithMemTracking, Encode, Eq, MaxEncodedLen, PartialEq, TypeInfo,
)]
pub struct Seen<Balance, BlockNumber> {
	/// The record's own terms ([`crate::ProviderInfo::terms`]).
	pub terms: Terms<Balance>,
	pub prior_terms: Terms<Balance>,
	pub terms_changed_at: BlockNumber,
	pub active_jobs: u32,
	/// ([`crate::ProviderInfo::awaiting_verdicts`])
	pub awaiting_verdicts: u32,
	/// The record's count of job slots ever taken ([`crate::ProviderInfo::jobs_begun`]).
	pub jobs_begun: u32,
	pub max_concurrent_jobs: u32,
	pub memory_mib: u32,
	pub reputation: Reputation,
}

impl<Balance: Clone, BlockNumber: Copy + Saturating + PartialOrd> Seen<Balance, BlockNumber> {
	/// The terms in force at `at`: the prior terms until `activation_delay` after the last
	/// change, then the record's own.
	pub fn terms_in_force(&self, at: BlockNumber, activation_delay: BlockNumber) -> Terms<Balance> {
		if at >= self.terms_changed_at.saturating_add(activation_delay) {
			self.terms.clone()
		} else {
			self.prior_terms.clone()
		}
	}

	/// Whether a slot was free, with fewer verdicts awaited than the provider has slots. An
	/// escalation gives its round's slots back before the verdict reaches their holders'
	/// stake and reputation; without the second bound, a provider whose rounds keep escalating
	/// could gather any number of pending judgements at a weight that none of them has lowered
	/// yet.
	pub fn has_room(&self) -> bool {
		self.active_jobs < self.max_concurrent_jobs && self.awaiting_within_bound()
	}

	/// Whether a slot free in this view is still free once the jobs begun since (the record
	/// has begun `jobs_begun_now` in all) have taken theirs. Slots freed since do not count:
	/// whoever frees one (the last revealer of another job, the provider declining) would
	/// otherwise choose, after the seed is known, whether the provider can still be drawn.
	/// Verdicts awaited since do not count either, for the same reason; the provider awaits at
	/// most its slots in the view plus the jobs it held then or took since.
	pub fn has_room_after(&self, jobs_begun_now: u32) -> bool {
		let taken_since = jobs_begun_now.wrapping_sub(self.jobs_begun);
		self.active_jobs.saturating_add(taken_since) < self.max_concurrent_jobs
			&& self.awaiting_within_bound()
	}

	fn awaiting_within_bound(&self) -> bool {
		self.awaiting_verdicts < self.max_concurrent_jobs
	}
}

/// A record's history: `(block, what the draw read just before the record first changed in
/// it)`, oldest first, one entry a block.
pub type History<Balance, BlockNumber> =
	BoundedVec<(BlockNumber, Seen<Balance, BlockNumber>), MaxSeen>;

/// What a draw reading the registry as of the end of block `at` sees of a record whose state
/// is now `current` and whose history is `history`: the first entry written after `at`, or
/// `current` if the record has not changed since.
pub fn seen_at<Balance: Clone, BlockNumber: Clone + PartialOrd>(
	history: &History<Balance, BlockNumber>,
	current: Seen<Balance, BlockNumber>,
	at: &BlockNumber,
) -> Seen<Balance, BlockNumber> {
	history.iter().find(|(changed_in, _)| changed_in > at).map_or(current, |(_, seen)| seen.clone())
}

/// Records that a record whose draw-facing state is `current` is about to change in block
/// `now`: forgets entries no view can need any more (every later draw reads a block at or
/// after `now - DRAW_LOOKBACK`) and keeps `current` unless the record already changed in
/// `now`, whose earlier entry already holds the state at the end of the block before.
pub fn remember<Balance, BlockNumber: Copy + Saturating + PartialOrd + From<u32>>(
	history: &mut History<Balance, BlockNumber>,
	current: Seen<Balance, BlockNumber>,
	now: BlockNumber,
) {
	let lookback = BlockNumber::from(DRAW_LOOKBACK);
	history.retain(|(changed_in, _)| changed_in.saturating_add(lookback) > now);
	if history.last().is_some_and(|(changed_in, _)| *changed_in == now) {
		return;
	}
	// The entries left were written in the `DRAW_LOOKBACK - 1` blocks before `now`, one each,
	// so there is room for this one.
	if history.try_push((now, current)).is_err() {
		frame_support::defensive!("a provider's draw history is longer than DRAW_LOOKBACK");
	}
}
