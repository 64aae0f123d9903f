//! Which providers a job may be drawn from: admission by weight, so that price never buys a
//! seat.
//!
//! A reward admits the providers that ask at most it. If any pool large enough by count would
//! do, whoever prices lowest forms the pool of every job offered the least reward, and a
//! coalition of cheap Sybils holds every seat of those jobs. So a pool is admitted only when it
//! holds at least half the *live weight*: the assignment weight ([`super::weight`]) of every
//! provider that could take the job but for its price and its free slots. Whatever anyone
//! charges, a coalition's share of an admitted pool is then at most twice its share of the
//! live weight, and the least reward that admits a pool is the weighted median of the
//! providers' costs: what the middle unit of weight asks, not what the cheapest ask.
//!
//! Half the weight is not enough where a few providers hold most of it: a pool of one heavy
//! honest provider and `2k - 1` Sybils priced under it holds half the live weight, and its
//! draws give the heavy provider one seat and the Sybils the rest. So a pool must also hold
//! half the live weight that lies beyond the `k - 1` heaviest ([`Weighed::beyond_heaviest`]):
//! whatever the first draws take, each draw then picks a coalition with a chance of at most
//! twice its share of that weight ([`per_draw_bound`]).
//!
//! Shares and chances are in parts per billion ([`BILLION`]), integer only, so that the
//! runtime, the worker and the dashboard compute the same numbers.

extern crate alloc;
use alloc::collections::BinaryHeap;
use core::cmp::Reverse;

/// One whole, in parts per billion.
pub const BILLION: u32 = 1_000_000_000;

/// The least share of the live weight an admitted pool holds: one half, in parts per billion.
pub const MIN_POOL_SHARE: u32 = BILLION / 2;

/// What admission reads of a set of providers (a pool, or everyone live) for a round of some
/// number of seats: their weight, and how much of it lies beyond the heaviest of them, as many
/// as the round has seats but one (those the first draws may take).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Weighed {
	pub total: u128,
	pub beyond_heaviest: u128,
}

/// Adds up weights into a [`Weighed`] for a round of `seats`, in O(log seats) a weight.
pub struct Tally {
	/// The heaviest weights added so far, at most `seats - 1` of them, lightest on top.
	heaviest: BinaryHeap<Reverse<u128>>,
	room: usize,
	weighed: Weighed,
}

impl Tally {
	pub fn new(seats: u32) -> Self {
		let room = seats.saturating_sub(1) as usize;
		Tally { heaviest: BinaryHeap::with_capacity(room + 1), room, weighed: Weighed::default() }
	}

	pub fn add(&mut self, weight: u128) {
		self.weighed.total = self.weighed.total.saturating_add(weight);
		// Most weights of a large market are no heavier than the lightest set apart: they go
		// beyond at once, without touching the heap.
		let beyond_at_once = self.heaviest.len() >= self.room
			&& self.heaviest.peek().is_none_or(|Reverse(lightest)| weight <= *lightest);
		let beyond = if beyond_at_once {
			weight
		} else {
			self.heaviest.push(Reverse(weight));
			if self.heaviest.len() <= self.room {
				return;
			}
			self.heaviest.pop().map_or(0, |Reverse(lightest)| lightest)
		};
		self.weighed.beyond_heaviest = self.weighed.beyond_heaviest.saturating_add(beyond);
	}

	pub fn weighed(&self) -> Weighed {
		self.weighed
	}

	/// The tally of `weights`, for a round of `seats`.
	pub fn of(seats: u32, weights: impl IntoIterator<Item = u128>) -> Weighed {
		let mut tally = Tally::new(seats);
		weights.into_iter().for_each(|weight| tally.add(weight));
		tally.weighed()
	}
}

/// Whether a pool may be drawn from, out of the live providers: it holds at least
/// [`MIN_POOL_SHARE`] (half) of the live weight, and at least half of the live weight beyond
/// the heaviest. Exact for every input.
pub fn admits(pool: Weighed, live: Weighed) -> bool {
	let half = |part: u128, whole: u128| part >= whole.saturating_sub(part);
	half(pool.total, live.total) && half(pool.beyond_heaviest, live.beyond_heaviest)
}

/// The least weight an admitted pool holds beyond its heaviest members, out of `live`: half
/// the live weight beyond the heaviest, rounded up.
pub fn least_admitted_beyond_heaviest(live: Weighed) -> u128 {
	live.beyond_heaviest.div_ceil(2)
}

/// `part` as a share of `whole`, in parts per billion, rounded down; a whole of zero gives
/// zero, and a part above the whole gives one whole.
pub fn share(part: u128, whole: u128) -> u32 {
	if whole == 0 {
		return 0;
	}
	if part >= whole {
		return BILLION;
	}
	// Scale both down until the product fits: the error is below one part in 2^64.
	let shift = (128 - whole.leading_zeros()).saturating_sub(96);
	let (part, whole) = (part >> shift, (whole >> shift).max(1));
	(part * u128::from(BILLION) / whole) as u32
}

/// The most a coalition holding `coalition_weight` can weigh in any one draw of a round of
/// `replicas` from a pool weighing `pool_weight` whose `replicas - 1` heaviest members weigh
/// `heaviest` together, in parts per billion, rounded up.
///
/// Draws are without replacement: each draw of an honest provider leaves the coalition a
/// larger share of what remains, at most `coalition / (pool - heaviest)` before the last draw
/// (a coalition's own draws only lower its share). So each draw picks the coalition with at
/// most this chance, whatever happened before it.
pub fn per_draw_bound(coalition_weight: u128, pool_weight: u128, heaviest: u128) -> u32 {
	let rest = pool_weight.saturating_sub(heaviest);
	if coalition_weight >= rest {
		return BILLION;
	}
	// `share` rounds down: one part more bounds it from above.
	share(coalition_weight, rest).saturating_add(1).min(BILLION)
}

/// An upper bound on the chance that a coalition takes at least `quorum` of `replicas` seats
/// when each draw picks it with a chance of at most `per_draw` (parts per billion): the tail
/// of the binomial distribution, which dominates the number of seats it takes. In parts per
/// billion, rounded up.
pub fn capture_bound(per_draw: u32, replicas: u32, quorum: u32) -> u32 {
	let p = u128::from(per_draw.min(BILLION));
	let q = u128::from(BILLION) - p;
	if quorum == 0 {
		return BILLION;
	}
	if quorum > replicas {
		return 0;
	}
	let mut total: u128 = 0;
	for seats in quorum..=replicas {
		let chance = mul_ppb(pow_ppb(p, seats), pow_ppb(q, replicas - seats));
		total = total.saturating_add(chance.saturating_mul(binomial(replicas, seats)));
		if total >= u128::from(BILLION) {
			return BILLION;
		}
	}
	total as u32
}

/// The coalitions a quote bounds the chance of, by their share of the live weight: 1 %, 5 %,
/// 10 %, 20 % and a third.
pub const COALITIONS: [u32; 5] = [10_000_000, 50_000_000, 100_000_000, 200_000_000, 333_333_334];

/// The most a coalition holding `coalition_weight` can hope for: its chance of taking at least
/// `quorum` of `replicas` seats drawn from a pool weighing `pool_weight`, whose `replicas - 1`
/// heaviest members weigh `heaviest` together, in parts per billion ([`per_draw_bound`] and
/// [`capture_bound`]).
pub fn capture_chance(
	coalition_weight: u128,
	pool_weight: u128,
	heaviest: u128,
	replicas: u32,
	quorum: u32,
) -> u32 {
	capture_bound(per_draw_bound(coalition_weight, pool_weight, heaviest), replicas, quorum)
}

/// `share` (parts per billion) of `whole`, rounded up.
pub fn part_of(whole: u128, share: u32) -> u128 {
	let (billion, share) = (u128::from(BILLION), u128::from(share.min(BILLION)));
	(whole / billion)
		.saturating_mul(share)
		.saturating_add((whole % billion * share).div_ceil(billion))
}

/// `a * b / BILLION`, rounded up: the product of two shares in parts per billion.
fn mul_ppb(a: u128, b: u128) -> u128 {
	a.saturating_mul(b).div_ceil(u128::from(BILLION))
}

/// `x^n` for a share `x` in parts per billion, rounded up.
fn pow_ppb(x: u128, n: u32) -> u128 {
	(0..n).fold(u128::from(BILLION), |acc, _| mul_ppb(acc, x))
}

/// The number of ways to choose `k` of `n`, saturating.
fn binomial(n: u32, k: u32) -> u128 {
	let k = k.min(n - k);
	(0..k).fold(1u128, |acc, i| acc.saturating_mul(u128::from(n - i)) / u128::from(i + 1))
}
