//! The panel an escalation draws when a round ends without a quorum: never weaker than the
//! round it judges.
//!
//! A panel's verdict judges the earlier rounds too, so a panel smaller or more lenient than the
//! requester's round would let a coalition that blocks round 0 (one declined seat blocks a
//! unanimous job) win the job in an easier vote. A panel therefore has at least the round's
//! seats and at least its quorum's share of them: with a coalition's chance of a seat at most
//! `p < 1/2`, capturing a panel is never likelier than capturing the round
//! (`a_panel_is_never_easier_to_capture_than_the_round_it_judges`).

use super::verdict::majority;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// How many providers an escalation draws, and how many of them must reveal the same hash.
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
pub struct Panel {
	pub seats: u32,
	pub quorum: u32,
}

impl Panel {
	/// The panel that judges a round of `replicas` seats decided by `quorum`: `min_seats`
	/// seats or the round's, whichever is more, decided by at least the round's share of
	/// them, rounded up (`quorum * seats / replicas`). A round of one seat or more with a
	/// majority quorum gets a panel with a majority quorum. `replicas` of zero (no round)
	/// gives `min_seats` decided by their majority.
	pub fn judging(replicas: u32, quorum: u32, min_seats: u32) -> Self {
		let seats = replicas.max(min_seats);
		if replicas == 0 {
			return Self { seats, quorum: majority(seats) };
		}
		let quorum = (u64::from(quorum.min(replicas)) * u64::from(seats))
			.div_ceil(u64::from(replicas))
			.max(u64::from(majority(seats)));
		// At most `seats`, since the quorum is at most the replicas.
		Self { seats, quorum: u32::try_from(quorum).unwrap_or(seats).min(seats) }
	}
}
