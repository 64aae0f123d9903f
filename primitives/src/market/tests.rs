//! Unit and property tests of the market rules.

use super::{
	sampling::{sample_weighted, weighted_order, SamplingError},
	verdict::{is_majority, majority, tally, Reveal, Verdict},
};
use proptest::prelude::*;

const A: u8 = 0xaa;
const B: u8 = 0xbb;

fn attested(hash: u8, agreeing: &[u32], deviating: &[u32], no_shows: &[u32]) -> Verdict<u8> {
	Verdict::Attested {
		hash,
		agreeing: agreeing.to_vec(),
		deviating: deviating.to_vec(),
		no_shows: no_shows.to_vec(),
	}
}

#[test]
fn honest_quorum_is_attested() {
	let reveals = [Reveal::Revealed(A); 3];
	assert_eq!(tally(&reveals, 2), attested(A, &[0, 1, 2], &[], &[]));
}

#[test]
fn one_deviant_is_named_and_the_majority_attested() {
	let reveals = [Reveal::Revealed(A), Reveal::Revealed(B), Reveal::Revealed(A)];
	assert_eq!(tally(&reveals, 2), attested(A, &[0, 2], &[1], &[]));
}

#[test]
fn no_shows_are_told_apart_from_deviants() {
	let reveals = [Reveal::Revealed(A), Reveal::CommittedOnly, Reveal::Revealed(A), Reveal::Absent];
	assert_eq!(tally(&reveals, 2), attested(A, &[0, 2], &[], &[1, 3]));
}

#[test]
fn a_split_vote_has_no_quorum() {
	let reveals = [Reveal::Revealed(A), Reveal::Revealed(B), Reveal::Absent];
	assert_eq!(tally(&reveals, 2), Verdict::NoQuorum { revealed: vec![0, 1], no_shows: vec![2] });
}

#[test]
fn a_tie_at_a_low_quorum_attests_nothing() {
	let reveals = [Reveal::Revealed(A), Reveal::Revealed(B)];
	assert_eq!(tally(&reveals, 1), Verdict::NoQuorum { revealed: vec![0, 1], no_shows: vec![] });
	assert_eq!(tally(&reveals, 0), Verdict::NoQuorum { revealed: vec![0, 1], no_shows: vec![] });
}

#[test]
fn sampling_is_deterministic_and_distinct() {
	let weights = [5u128, 0, 7, 1, 3];
	let seed = [7u8; 32];
	let first = sample_weighted(&weights, 3, &seed).unwrap();
	assert_eq!(first, sample_weighted(&weights, 3, &seed).unwrap());
	let mut sorted = first.clone();
	sorted.sort();
	sorted.dedup();
	assert_eq!(sorted.len(), 3);
	assert!(!first.contains(&1), "a zero weight is never picked");
}

#[test]
fn sampling_refuses_when_too_few_have_weight() {
	assert_eq!(
		sample_weighted(&[1, 0, 2], 3, &[0; 32]),
		Err(SamplingError::NotEnoughCandidates { wanted: 3, available: 2 })
	);
	assert_eq!(sample_weighted(&[u128::MAX, 1], 1, &[0; 32]), Err(SamplingError::WeightOverflow));
}

#[test]
fn sampling_follows_the_weights() {
	// Over 4000 seeds, a candidate with 3/4 of the weight is drawn first about 3/4 of the time.
	let weights = [3u128, 1];
	let heavy_first = (0u32..4000)
		.filter(|i| {
			let mut seed = [0u8; 32];
			seed[..4].copy_from_slice(&i.to_le_bytes());
			sample_weighted(&weights, 1, &seed).unwrap()[0] == 0
		})
		.count();
	assert!((2850..=3150).contains(&heavy_first), "heavy drawn first {heavy_first} times of 4000");
}

/// The seed of trial `i`.
fn seed_of(i: u32) -> [u8; 32] {
	let mut seed = [0u8; 32];
	seed[..4].copy_from_slice(&i.to_le_bytes());
	seed
}

#[test]
fn sampling_frequencies_match_the_weights_within_five_sigma() {
	// Each candidate is drawn first in proportion to its weight: within five standard
	// deviations of `trials * w / W` over 20 000 seeds. Taking the first candidate, or drawing
	// uniformly, is off by more than 30 standard deviations for some candidate.
	let weights = [1u128, 2, 3, 4, 10];
	let total: u128 = weights.iter().sum();
	let trials = 20_000u32;
	let mut counts = [0u32; 5];
	for i in 0..trials {
		counts[sample_weighted(&weights, 1, &seed_of(i)).unwrap()[0] as usize] += 1;
	}
	for (index, weight) in weights.iter().enumerate() {
		let p = *weight as f64 / total as f64;
		let expected = trials as f64 * p;
		let sigma = (trials as f64 * p * (1.0 - p)).sqrt();
		let off = (counts[index] as f64 - expected).abs() / sigma;
		assert!(off < 5.0, "candidate {index}: {} draws, {expected:.0} expected", counts[index]);
	}
}

#[test]
fn sampling_capture_frequency_stays_under_the_stated_bound() {
	// docs/DESIGN.md: attackers of weight A in a pool of weight W, with H the k - 1 heaviest
	// honest weights, hold q of k seats with probability at most C(k, q) * (A / (W - H))^q.
	// Here two attackers of weight 2 among eight honest providers (one of weight 3): k = 3,
	// q = 2, A = 4, W = 14, H = 4, so the bound is 3 * 0.4^2 = 0.48.
	let weights = [3u128, 1, 1, 1, 1, 1, 1, 1, 2, 2];
	let attackers = [8u32, 9];
	let trials = 20_000u32;
	let captured = (0..trials)
		.filter(|i| {
			let picked = sample_weighted(&weights, 3, &seed_of(*i)).unwrap();
			picked.iter().filter(|p| attackers.contains(p)).count() >= 2
		})
		.count();
	let frequency = captured as f64 / trials as f64;
	let (a, w, h) = (4.0, 14.0, 4.0);
	let bound = 3.0 * (a / (w - h)) * (a / (w - h));
	assert!(frequency <= bound, "captured {frequency} of draws, bound {bound}");
	// And the draw is random, not a fixed choice: the attackers sometimes win.
	assert!(captured > 0);
}

fn reveal() -> impl Strategy<Value = Reveal<u8>> {
	prop_oneof![
		(0u8..3).prop_map(Reveal::Revealed),
		Just(Reveal::CommittedOnly),
		Just(Reveal::Absent),
	]
}

/// A majority is more than half, and `majority` is the least of them: with any two quorums of a
/// round, two different hashes cannot both be attested.
#[test]
fn the_least_majority_is_more_than_half() {
	for replicas in 0..=200u32 {
		let least = majority(replicas);
		assert!(is_majority(least, replicas), "{least} of {replicas}");
		assert!(!is_majority(least - 1, replicas), "{} of {replicas}", least - 1);
		assert!(least + least > replicas);
	}
	assert!(is_majority(u32::MAX, u32::MAX), "no overflow");
	assert!(!is_majority(u32::MAX / 2, u32::MAX));
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(2000))]

	#[test]
	fn a_verdict_partitions_the_assignees(reveals in prop::collection::vec(reveal(), 1..12)) {
		let n = reveals.len() as u32;
		let quorum = majority(n);
		match tally(&reveals, quorum) {
			Verdict::Attested { hash, agreeing, deviating, no_shows } => {
				prop_assert!(agreeing.len() as u32 >= quorum);
				for &i in &agreeing {
					prop_assert_eq!(reveals[i as usize], Reveal::Revealed(hash));
				}
				for &i in &deviating {
					prop_assert!(matches!(reveals[i as usize], Reveal::Revealed(h) if h != hash));
				}
				let mut all: Vec<u32> = agreeing.into_iter().chain(deviating).chain(no_shows).collect();
				all.sort();
				prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
			},
			Verdict::NoQuorum { revealed, no_shows } => {
				// No hash reached the quorum.
				for value in 0u8..3 {
					let count = reveals.iter().filter(|r| **r == Reveal::Revealed(value)).count();
					prop_assert!((count as u32) < quorum);
				}
				prop_assert_eq!(revealed.len() + no_shows.len(), n as usize);
			},
		}
	}

	#[test]
	fn a_sample_has_k_distinct_positive_candidates(
		weights in prop::collection::vec(0u128..1_000_000, 1..64),
		k in 0u32..16,
		seed in any::<[u8; 32]>(),
	) {
		let positive = weights.iter().filter(|w| **w > 0).count() as u32;
		match sample_weighted(&weights, k, &seed) {
			Ok(picked) => {
				prop_assert_eq!(picked.len() as u32, k);
				let mut distinct = picked.clone();
				distinct.sort();
				distinct.dedup();
				prop_assert_eq!(distinct.len(), picked.len());
				for i in picked {
					prop_assert!(weights[i as usize] > 0);
				}
			},
			Err(error) => prop_assert_eq!(
				error,
				SamplingError::NotEnoughCandidates { wanted: k, available: positive }
			),
		}
	}

	#[test]
	fn the_order_holds_every_positive_weight_once_and_a_sample_is_its_start(
		weights in prop::collection::vec(0u128..1_000_000, 1..64),
		k in 0u32..16,
		seed in any::<[u8; 32]>(),
	) {
		let order: Vec<u32> = weighted_order(&weights, &seed).unwrap().collect();
		let positive = weights.iter().filter(|w| **w > 0).count();
		prop_assert_eq!(order.len(), positive);
		let mut distinct = order.clone();
		distinct.sort();
		distinct.dedup();
		prop_assert_eq!(distinct.len(), positive);
		prop_assert!(order.iter().all(|i| weights[*i as usize] > 0));
		if k as usize <= positive {
			prop_assert_eq!(sample_weighted(&weights, k, &seed).unwrap(), order[..k as usize].to_vec());
		}
	}
}

mod weights_and_commitments {
	use super::super::{commitment::commitment, weight::assignment_weight};
	use proptest::prelude::*;

	#[test]
	fn a_newcomer_weighs_an_eighth_and_a_clean_record_earns_the_rest() {
		assert_eq!(assignment_weight(1_000, 0, 0, 0), 125);
		assert_eq!(assignment_weight(1_000, 7, 0, 0), 8_000 / 15);
		assert_eq!(assignment_weight(1_000, 50, 0, 0), 1_000 * 51 / 58);
		assert_eq!(assignment_weight(0, 9, 0, 0), 0);
	}

	#[test]
	fn wrong_answers_cost_more_than_no_shows() {
		// 1 agreed: merit 2. One deviation: 2 / 13; one no-show: 2 / 11.
		assert_eq!(assignment_weight(6_000, 1, 1, 0), 12_000 / 13);
		assert_eq!(assignment_weight(6_000, 1, 0, 1), 12_000 / 11);
		assert_eq!(assignment_weight(1, 0, 100, 100), 1, "a positive stake never weighs zero");
		assert_eq!(assignment_weight(u128::MAX, 0, 1, 0), u128::MAX / 12);
	}

	#[test]
	fn a_commitment_binds_hash_salt_and_account() {
		let base = commitment(&[1; 32], &[2; 32], &[3; 32]);
		assert_ne!(base, commitment(&[9; 32], &[2; 32], &[3; 32]));
		assert_ne!(base, commitment(&[1; 32], &[9; 32], &[3; 32]));
		assert_ne!(base, commitment(&[1; 32], &[2; 32], &[9; 32]));
		let mut preimage = vec![1u8; 32];
		preimage.extend([2u8; 32]);
		preimage.extend([3u8; 32]);
		assert_eq!(base, sp_crypto_hashing::blake2_256(&preimage));
	}

	proptest! {
		#[test]
		fn weight_never_exceeds_stake_and_falls_with_offences(
			stake in 1u128..u128::MAX,
			agreed in 0u32..1000,
			deviated in 0u32..1000,
			no_shows in 0u32..1000,
		) {
			let weight = assignment_weight(stake, agreed, deviated, no_shows);
			prop_assert!(weight >= 1 && weight <= stake);
			prop_assert!(assignment_weight(stake, agreed, deviated + 1, no_shows) <= weight);
			prop_assert!(assignment_weight(stake, agreed, deviated, no_shows + 1) <= weight);
		}
	}
}

mod admission {
	use super::seed_of;
	use crate::market::{
		admission::{
			admits, capture_bound, least_admitted_beyond_heaviest, per_draw_bound, share, Tally,
			Weighed, BILLION, MIN_POOL_SHARE,
		},
		sampling::sample_weighted,
	};

	/// A pool and the live providers it is drawn from, for a round of `seats`.
	fn weigh(seats: u32, pool: &[u128], live: &[u128]) -> (Weighed, Weighed) {
		(Tally::of(seats, pool.iter().copied()), Tally::of(seats, live.iter().copied()))
	}

	#[test]
	fn a_tally_sets_the_heaviest_apart() {
		// Three seats: the two heaviest (7 and 5) are set apart, in any order of adding.
		let weighed = Weighed { total: 17, beyond_heaviest: 5 };
		assert_eq!(Tally::of(3, [1, 7, 2, 5, 2]), weighed);
		assert_eq!(Tally::of(3, [7, 5, 2, 2, 1]), weighed);
		assert_eq!(Tally::of(3, [1, 2, 2, 5, 7]), weighed);
		// One seat sets nothing apart; more seats than weights set everything apart.
		assert_eq!(Tally::of(1, [3, 4]), Weighed { total: 7, beyond_heaviest: 7 });
		assert_eq!(Tally::of(5, [3, 4]), Weighed { total: 7, beyond_heaviest: 0 });
		assert_eq!(Tally::of(0, [3, 4]), Weighed { total: 7, beyond_heaviest: 7 });
	}

	fn weight() -> impl proptest::strategy::Strategy<Value = u128> {
		use proptest::prelude::*;
		// Small weights make ties, which the heap must keep apart as a sort would; large ones
		// reach the top of the range, where sums saturate.
		prop_oneof![0u128..4, 0u128..=u128::from(u64::MAX), (u128::MAX / 64)..=(u128::MAX / 32)]
	}

	proptest::proptest! {
		#![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

		/// A tally, however the weights come, is what sorting them would give: their sum, and
		/// the sum of all but the `seats - 1` heaviest.
		#[test]
		fn a_tally_agrees_with_sorting(
			weights in proptest::collection::vec(weight(), 0..48),
			seats in 0u32..20,
		) {
			let mut sorted = weights.clone();
			sorted.sort_unstable_by(|a, b| b.cmp(a));
			let total = weights.iter().fold(0u128, |sum, w| sum.saturating_add(*w));
			let set_apart = seats.saturating_sub(1) as usize;
			let beyond = sorted.iter().skip(set_apart).fold(0u128, |sum, w| sum.saturating_add(*w));
			let tallied = Tally::of(seats, weights.iter().copied());
			proptest::prop_assert_eq!(tallied, Weighed { total, beyond_heaviest: beyond });
		}

		/// Admission is exactly "at least half", in both parts, with no overflow.
		#[test]
		fn admission_is_at_least_half_of_both_parts(
			pool in (weight(), weight()),
			live in (weight(), weight()),
		) {
			let (pool, live) = (
				Weighed { total: pool.0, beyond_heaviest: pool.1 },
				Weighed { total: live.0, beyond_heaviest: live.1 },
			);
			// In 129 bits: twice a part against its whole.
			let at_least_half = |part: u128, whole: u128| {
				let (doubled_high, doubled_low) = (part >> 127, part << 1);
				doubled_high == 1 || doubled_low >= whole
			};
			let expected = at_least_half(pool.total, live.total)
				&& at_least_half(pool.beyond_heaviest, live.beyond_heaviest);
			proptest::prop_assert_eq!(admits(pool, live), expected);
		}
	}

	#[test]
	fn a_pool_is_admitted_from_half_the_live_weight() {
		let even = [1u128; 10];
		assert!(admits(Tally::of(1, even[..5].iter().copied()), Tally::of(1, even)));
		assert!(!admits(Tally::of(1, even[..4].iter().copied()), Tally::of(1, even)));
		assert!(admits(Tally::of(1, even), Tally::of(1, even)));
		assert!(!admits(Tally::of(1, [0]), Tally::of(1, [1])));
		// Exact at the top of the range, where a product would overflow.
		let (half, max) = (u128::MAX / 2, u128::MAX);
		let at = |total| Weighed { total, beyond_heaviest: total };
		assert!(admits(at(half + 1), at(max)));
		assert!(!admits(at(half), at(max)));
		assert_eq!(MIN_POOL_SHARE, BILLION / 2);
	}

	/// One honest provider holding half the live weight, priced above five Sybils, and three
	/// more honest providers priced above it: the cheapest six hold half the weight, and the
	/// draw would give the heavy one a seat and the Sybils the other two of three. Beyond the
	/// two heaviest they hold almost nothing of the live weight, so that pool is refused and
	/// one with the other honest providers admitted.
	#[test]
	fn one_heavy_provider_and_sybils_under_it_are_no_pool() {
		let (heavy, sybil, honest) = (100u128, 1u128, 30u128);
		let sybils = [sybil; 5];
		let live: Vec<u128> = sybils.iter().copied().chain([heavy]).chain([honest; 3]).collect();
		let (cheapest_six, everyone) = weigh(3, &live[..6], &live);
		assert!(cheapest_six.total >= everyone.total - cheapest_six.total, "half the weight");
		assert!(!admits(cheapest_six, everyone));
		let (with_one_more, everyone) = weigh(3, &live[..7], &live);
		assert!(!admits(with_one_more, everyone), "5 beyond the heaviest, of 65");
		let (with_two_more, everyone) = weigh(3, &live[..8], &live);
		assert!(admits(with_two_more, everyone));
		// The per-draw bound of the admitted pool is at most twice the Sybils' share of the
		// live weight beyond the heaviest.
		let coalition = sybil * 5;
		let p = per_draw_bound(
			coalition,
			with_two_more.total,
			with_two_more.total - with_two_more.beyond_heaviest,
		);
		let twice_the_share = 2 * share(coalition, everyone.beyond_heaviest);
		assert!(p <= twice_the_share + 1, "{p} > {twice_the_share}");
		assert!(least_admitted_beyond_heaviest(everyone) <= with_two_more.beyond_heaviest);
	}

	#[test]
	fn shares_are_parts_per_billion_rounded_down() {
		assert_eq!(share(1, 3), 333_333_333);
		assert_eq!(share(2, 3), 666_666_666);
		assert_eq!(share(7, 7), BILLION);
		assert_eq!(share(8, 7), BILLION);
		assert_eq!(share(1, 0), 0);
		let half = share(u128::MAX / 2, u128::MAX);
		assert!((499_999_999..=500_000_000).contains(&half), "{half}");
	}

	#[test]
	fn the_capture_bound_is_the_binomial_tail() {
		// p = 0.4, k = 3, q = 2: 3 * 0.4^2 * 0.6 + 0.4^3 = 0.352.
		assert_eq!(capture_bound(400_000_000, 3, 2), 352_000_000);
		// One seat of one: the chance of a draw.
		assert_eq!(capture_bound(123_456_789, 1, 1), 123_456_789);
		// All five of five at p = 0.5: 1/32.
		assert_eq!(capture_bound(500_000_000, 5, 5), 31_250_000);
		assert_eq!(capture_bound(0, 3, 2), 0);
		assert_eq!(capture_bound(BILLION, 3, 2), BILLION);
		// A stricter quorum is never likelier to be captured.
		let chances: Vec<u32> = (1..=16).map(|q| capture_bound(300_000_000, 16, q)).collect();
		assert!(chances.windows(2).all(|w| w[0] >= w[1]), "{chances:?}");
	}

	#[test]
	fn the_per_draw_bound_counts_the_heaviest_others_as_gone() {
		// A coalition of 4 in a pool of 14 whose two heaviest weigh 5: 4 / 9.
		assert_eq!(per_draw_bound(4, 14, 5), 444_444_445);
		assert_eq!(per_draw_bound(9, 14, 5), BILLION);
		assert_eq!(per_draw_bound(0, 14, 5), 1);
	}

	/// The bound holds for the real draw: over 20,000 seeds, the share of draws in which the
	/// attackers hold a quorum stays under it, for light and heavy honest providers, many
	/// light Sybils (whom drawing without replacement favours most) and quorums from a
	/// majority to all.
	#[test]
	fn measured_captures_stay_under_the_capture_bound() {
		let cases: [(&[u128], usize, u32, u32); 5] = [
			(&[3, 1, 1, 1, 1, 1, 1, 1, 2, 2], 2, 3, 2),
			(&[40, 40, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 12, 3, 2),
			(&[40, 40, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 12, 5, 3),
			(&[10, 9, 8, 7, 6, 5, 1, 1, 1, 1, 1, 1], 6, 5, 5),
			(&[5; 12], 4, 3, 3),
		];
		let trials = 20_000u32;
		for (weights, attackers, replicas, quorum) in cases {
			// The attackers are the last `attackers` entries.
			let first_attacker = weights.len() - attackers;
			let coalition: u128 = weights[first_attacker..].iter().sum();
			let pool: u128 = weights.iter().sum();
			let mut sorted = weights.to_vec();
			sorted.sort_unstable_by(|a, b| b.cmp(a));
			let heaviest: u128 = sorted[..replicas as usize - 1].iter().sum();
			let bound = capture_bound(per_draw_bound(coalition, pool, heaviest), replicas, quorum);
			let captured = (0..trials)
				.filter(|i| {
					let picked = sample_weighted(weights, replicas, &seed_of(*i)).unwrap();
					let held = picked.iter().filter(|p| **p as usize >= first_attacker).count();
					held >= quorum as usize
				})
				.count() as f64;
			let p = f64::from(bound) / f64::from(BILLION);
			let sigma = (f64::from(trials) * p * (1.0 - p)).sqrt();
			assert!(
				captured <= f64::from(trials) * p + 4.0 * sigma,
				"{weights:?}, k = {replicas}, q = {quorum}: captured {captured} of {trials}, \
				 bound {p}"
			);
		}
	}
}

mod escalation_panels {
	use crate::market::{admission::capture_bound, panel::Panel, verdict::outvoted};

	#[test]
	fn a_panel_has_the_rounds_seats_and_quorum_or_more() {
		// The shipped chains' floor of three seats: a default round keeps its shape.
		assert_eq!(Panel::judging(3, 2, 3), Panel { seats: 3, quorum: 2 });
		// A unanimous round of five is judged by a unanimous panel of five, not 2 of 3.
		assert_eq!(Panel::judging(5, 5, 3), Panel { seats: 5, quorum: 5 });
		assert_eq!(Panel::judging(16, 9, 3), Panel { seats: 16, quorum: 9 });
		// A round smaller than the floor gets the floor's seats and its own share of them.
		assert_eq!(Panel::judging(1, 1, 3), Panel { seats: 3, quorum: 3 });
		assert_eq!(Panel::judging(2, 2, 3), Panel { seats: 3, quorum: 3 });
		assert_eq!(Panel::judging(4, 3, 6), Panel { seats: 6, quorum: 5 });
		assert_eq!(Panel::judging(0, 0, 3), Panel { seats: 3, quorum: 2 });
		for replicas in 1..=16 {
			for quorum in crate::market::verdict::majority(replicas)..=replicas {
				for floor in 1..=16 {
					let panel = Panel::judging(replicas, quorum, floor);
					assert!(panel.seats >= replicas && panel.seats >= floor);
					assert!(panel.quorum <= panel.seats && panel.quorum > panel.seats / 2);
					// The quorum's share of the seats is at least the round's.
					assert!(
						u64::from(panel.quorum) * u64::from(replicas)
							>= u64::from(quorum) * u64::from(panel.seats),
						"{replicas} {quorum} {floor}: {panel:?}"
					);
				}
			}
		}
	}

	/// The binomial tail `P(X >= quorum)` for `X ~ Bin(seats, p)`, exactly (in floating point:
	/// the chain's own bound rounds each term up by a part per billion, which would hide the
	/// comparison at small `p`).
	fn tail(p: f64, seats: u32, quorum: u32) -> f64 {
		let choose =
			|n: u32, k: u32| (0..k).fold(1f64, |acc, i| acc * f64::from(n - i) / f64::from(i + 1));
		(quorum..=seats)
			.map(|s| choose(seats, s) * p.powi(s as i32) * (1.0 - p).powi((seats - s) as i32))
			.sum()
	}

	/// With each seat the coalition's with a chance of at most p, a panel is never likelier to
	/// be captured than the round it judges, for every round shape the runtime allows, every
	/// floor, and every p up to 45 % (a coalition near half the weight captures anything).
	#[test]
	fn a_panel_is_never_easier_to_capture_than_the_round_it_judges() {
		let mut compared = 0;
		for replicas in 1..=16 {
			for quorum in crate::market::verdict::majority(replicas)..=replicas {
				for floor in 1..=16 {
					let panel = Panel::judging(replicas, quorum, floor);
					for step in 1..=90 {
						let p = f64::from(step) * 0.005;
						let round = tail(p, replicas, quorum);
						let judged = tail(p, panel.seats, panel.quorum);
						assert!(
							judged <= round * (1.0 + 1e-12),
							"{replicas} {quorum} {floor} at {p}: panel {panel:?} {judged} > {round}"
						);
						compared += 1;
					}
				}
			}
		}
		assert!(compared > 100_000);
		// The review's case (NH1), in the chain's own bound at p = 10 %: the old 2-of-3 panel
		// of a unanimous round of five was over 2,000 times easier to capture than the round.
		let (round, old_panel) =
			(capture_bound(100_000_000, 5, 5), capture_bound(100_000_000, 3, 2));
		assert!(old_panel > 2_000 * round, "{old_panel} vs {round}");
		let panel = Panel::judging(5, 5, 3);
		assert_eq!(capture_bound(100_000_000, panel.seats, panel.quorum), round);
	}

	#[test]
	fn a_verdict_outvoted_across_rounds_is_told_apart() {
		const A: u8 = 1;
		const B: u8 = 2;
		const C: u8 = 3;
		// Round 0: four reveal A; a panel of three: two reveal B, one A. B has 2, A has 5.
		assert!(outvoted(&[A, A, A, A, B, B, A], B));
		assert!(!outvoted(&[A, A, A, A, B, B, A], A));
		// A tie is not outvoted: the panel's verdict stands.
		assert!(!outvoted(&[A, A, B, B], B));
		// Several rivals: only one with more votes than the verdict counts.
		assert!(!outvoted(&[A, B, C, C], C));
		assert!(outvoted(&[A, B, B, C], C));
		assert!(!outvoted(&[], A));
		// A verdict nobody revealed (cannot happen) is outvoted by any reveal.
		assert!(outvoted(&[B], A));
	}
}
