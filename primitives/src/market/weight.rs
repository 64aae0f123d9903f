//! How much a provider weighs in the random assignment: its stake, scaled down by its record.
//!
//! `weight = stake * (1 + agreed) / (NEWCOMER_RAMP + agreed + 4 * deviated + 2 * no_shows)`,
//! rounded down, and at least 1 for any positive stake. A new identity weighs an eighth of its
//! stake and earns the rest job by job (over half after 7 agreed jobs, 90 % after 63), so a
//! penalised provider gains little by re-registering and a fresh Sybil army weighs little;
//! every wrong answer costs as much standing as four right answers earn back, every no-show as
//! much as two. Stake is the skin in the game that slashing takes; the record is what the
//! provider did with it. Integer only, so clients recompute the chain's draw exactly.

/// The standing of an identity with no record, in right answers: a newcomer weighs
/// `1 / NEWCOMER_RAMP` of its stake.
pub const NEWCOMER_RAMP: u64 = 8;
/// Penalty of one wrong answer, in right answers.
pub const DEVIATION_PENALTY: u64 = 4;
/// Penalty of one no-show, in right answers.
pub const NO_SHOW_PENALTY: u64 = 2;

/// The assignment weight of a provider with `stake` and this record.
pub fn assignment_weight(stake: u128, agreed: u32, deviated: u32, no_shows: u32) -> u128 {
	if stake == 0 {
		return 0;
	}
	let merit = u64::from(agreed) + 1;
	let standing = (NEWCOMER_RAMP + u64::from(agreed))
		.saturating_add(DEVIATION_PENALTY.saturating_mul(deviated.into()))
		.saturating_add(NO_SHOW_PENALTY.saturating_mul(no_shows.into()));
	// `merit <= standing`, both under 2^35, so the product with a u128 stake is split to avoid
	// overflow: stake = q * standing + r.
	let (q, r) = (stake / u128::from(standing), stake % u128::from(standing));
	let scaled = q
		.saturating_mul(u128::from(merit))
		.saturating_add(r.saturating_mul(u128::from(merit)) / u128::from(standing));
	scaled.max(1)
}
