//! Admission by weight (issue 23, slice 1; ../shared/reviews/SECURITY-REVIEW.md NC1): a price
//! never buys a seat. Played by Sybils priced under every honest provider, by a requester that
//! prices its own Sybils so that the pool is them and one victim, and by a draw checked for the
//! weights it gives each record.

use crate::{mock::*, types::*, Error};
use concord_primitives::{
	kernel::KernelId,
	market::{admission, weight::assignment_weight},
};
use frame_support::{assert_noop, assert_ok};
use pallet_providers::JobOutcome;
use sp_runtime::Perbill;

/// A Sybil (see [`register_sybil`]) with unlimited slots that has waited out the activation
/// delay.
fn sybil(who: AccountId, price: Balance, stake: Balance) {
	register_sybil(who, price, stake, u32::MAX);
	make_assignable(who);
}

/// Sets `who`'s price, in force at once.
fn set_price(who: AccountId, price: Balance) {
	assert_ok!(Providers::update(RuntimeOrigin::signed(who), None, None, Some(price)));
	make_assignable(who);
}

/// Gives `who` a track record.
fn set_record(who: AccountId, agreed: u32, deviated: u32) {
	pallet_providers::Providers::<Test>::mutate(who, |info| {
		let info = info.as_mut().expect("registered");
		info.reputation.agreed = agreed;
		info.reputation.deviated = deviated;
	});
}

fn quote(replicas: u32, quorum: u32) -> Quote<Balance> {
	crate::Pallet::<Test>::quote(KernelId::SortU32, sort_params(), replicas, quorum)
		.expect("a valid quote")
}

/// NC1, exploit A: four Sybils priced one unit under twelve honest providers at distinct
/// prices. The old quote was the 2k-th lowest cost, so the pool of every job at the quote was
/// exactly the Sybils, and they held every seat. Now the quote's pool holds half the live
/// weight, and half of it beyond the heaviest, so the Sybils (a quarter of it) hold under half
/// the seats and rarely a quorum.
#[test]
fn sybils_priced_under_distinct_honest_prices_hold_no_more_than_their_weight_allows() {
	run_test(|| {
		for (provider, price) in PROVIDERS.iter().zip(2..) {
			set_price(*provider, price);
		}
		let sybils = [30, 31, 32, 33];
		for who in sybils {
			sybil(who, 1, STAKE);
		}
		let quote = quote(2, 2);
		// Sixteen equal weights: half of the fifteen beyond the heaviest is the four Sybils
		// and the five cheapest honest, less the heaviest of them.
		assert_eq!(quote.min_reward, Ok(6 * SORT_WORK_UNITS));
		assert_eq!((quote.pool, quote.pool_share), (9, Perbill::from_parts(562_500_000)));
		// A reward the Sybils alone accept is refused, as is one of eight, half the weight.
		for reward in [SORT_WORK_UNITS, 5 * SORT_WORK_UNITS] {
			assert_noop!(try_submit(ALICE, 2, 2, reward), Error::<Test>::RewardTooLow);
		}
		let (mut sybil_seats, mut captured) = (0, 0);
		for salt in 0..32u8 {
			let held = and_undo(|| {
				RandomnessSalt::set(&salt);
				let id = try_submit(ALICE, 2, 2, quote.min_reward.clone().unwrap()).unwrap();
				run_to(System::block_number() + DRAW_DELAY);
				let assigned = assignees(id);
				assert_eq!(assigned.len(), 2);
				assigned.iter().filter(|p| sybils.contains(p)).count()
			});
			sybil_seats += held;
			captured += usize::from(held == 2);
		}
		// Four ninths of the pool's weight: 28 of 64 seats expected (the old rule gave them
		// all 64).
		assert!((20..=44).contains(&sybil_seats), "Sybils held {sybil_seats} of 64 seats");
		// Both seats of a job: 4/9 * 3/8 = 17 % expected, 100 % under the old rule.
		assert!(captured <= 14, "Sybils held both seats of {captured} of 32 jobs");
	});
}

/// NC1, exploit B: a requester with five cheap Sybils (newcomers at the minimum stake) prices
/// a job so that its pool is the Sybils and the cheapest honest provider, who is then outvoted
/// and slashed whenever drawn. Now that reward is refused, and at the quote's reward the pool
/// holds at least half the live weight, so the victim is drawn beside honest providers.
#[test]
fn a_requester_cannot_price_a_pool_of_its_sybils_and_one_victim() {
	run_test(|| {
		let victim = PROVIDERS[0];
		set_price(victim, 2);
		for provider in &PROVIDERS[1..] {
			set_price(*provider, 3);
		}
		// Two honest providers leave, and no draw can see them any more.
		for who in &PROVIDERS[10..] {
			assert_ok!(Providers::go_offline(RuntimeOrigin::signed(*who)));
		}
		run_to(
			System::block_number() + ACTIVATION_DELAY + u64::from(pallet_providers::DRAW_LOOKBACK),
		);
		let sybils = [30, 31, 32, 33, 34];
		for who in sybils {
			sybil(who, 1, MIN_STAKE);
		}
		// The old rule accepted this reward: the pool was exactly the Sybils and the victim.
		assert_noop!(try_submit(ALICE, 3, 2, 2 * SORT_WORK_UNITS), Error::<Test>::RewardTooLow);
		let quote = quote(3, 2);
		assert_eq!(quote.min_reward, Ok(3 * SORT_WORK_UNITS));
		assert!(quote.pool_share >= Perbill::from_percent(50));
		let reward = quote.min_reward.unwrap();
		// The Sybils hold 625 of 13,125 of the live weight: under 5 %, for which the quote
		// bounds the chance of a quorum of two of three seats.
		let five_percent = &quote.capture[1];
		assert_eq!(five_percent.coalition, Perbill::from_percent(5));
		let bound = f64::from(five_percent.chance.deconstruct()) / 1e9;
		assert!(bound < 0.1, "{bound}");
		let jobs = 20u32;
		let mut honest_slashed = 0;
		for _ in 0..jobs {
			let (id, assigned) = submit_assigned(ALICE, 3, 2, reward);
			for who in &assigned {
				let result = if sybils.contains(who) { RESULT_B } else { RESULT_A };
				assert_ok!(commit(*who, id, result));
			}
			for who in &assigned {
				let result = if sybils.contains(who) { RESULT_B } else { RESULT_A };
				assert_ok!(reveal(*who, id, result));
			}
			assert!(!job(id).phase.is_open(), "every assignee revealed");
			honest_slashed += crate::Jobs::<Test>::get(id)
				.unwrap()
				.assignees
				.iter()
				.filter(|a| !sybils.contains(&a.provider))
				.filter(|a| a.outcome == Some(JobOutcome::Deviated))
				.count();
		}
		// Each slash needs a forged quorum, which the Sybils (only ever losing weight here)
		// take with a chance under the bound: allow three standard deviations over it. The
		// old rule drew the victim beside two Sybils in most jobs: over ten slashes in twenty.
		let n = f64::from(jobs);
		let most = n * bound + 3.0 * (n * bound * (1.0 - bound)).sqrt();
		assert!(
			(honest_slashed as f64) <= most,
			"honest providers slashed {honest_slashed} times in {jobs} jobs, at most {most:.1} expected"
		);
	});
}

/// Half the live weight is not enough where one provider holds it: a veteran priced under
/// everyone honest but over five Sybils holds, with them, half the live weight, so the old
/// rule admitted that pool of six at the veteran's price, and its draws gave the veteran one
/// seat of three and the Sybils the other two, outvoting and slashing it in nearly every job.
/// Now a pool must also hold half the live weight beyond the two heaviest: the quote takes in
/// the other honest providers, and the Sybils (4 % of the live weight) take a quorum rarely.
#[test]
fn a_veteran_and_sybils_priced_under_it_are_no_pool() {
	run_test(|| {
		let veteran = PROVIDERS[0];
		set_price(veteran, 2);
		for provider in &PROVIDERS[1..] {
			set_price(*provider, 3);
		}
		let sybils = [30, 31, 32, 33, 34];
		for who in sybils {
			sybil(who, 1, MIN_STAKE);
		}
		// The veteran weighs 9,014; each other honest provider, a newcomer with three wrong
		// answers, 500; each Sybil 125. Live: 15,139, of which the veteran and the Sybils
		// hold 9,639, but beyond the two heaviest 500 of 5,625.
		set_record(veteran, 63, 0);
		for provider in &PROVIDERS[1..] {
			set_record(*provider, 0, 3);
		}
		assert_noop!(try_submit(ALICE, 3, 2, 2 * SORT_WORK_UNITS), Error::<Test>::RewardTooLow);
		let quote = quote(3, 2);
		assert_eq!(quote.min_reward, Ok(3 * SORT_WORK_UNITS));
		// The quote's bound for a coalition of 5 %: at most 757 of the 2,813 that an admitted
		// pool holds beyond its two heaviest, a quorum of two of three with a chance of at
		// most 18 % (the old quote, for the old rule, said 100 %).
		let five_percent = &quote.capture[1];
		assert_eq!(five_percent.coalition, Perbill::from_percent(5));
		let bound = f64::from(five_percent.chance.deconstruct()) / 1e9;
		assert!(bound < 0.2, "{bound}");
		let reward = quote.min_reward.unwrap();
		let jobs = 20u32;
		let (mut honest_slashed, mut sybil_seats) = (0, 0);
		for _ in 0..jobs {
			let (id, assigned) = submit_assigned(ALICE, 3, 2, reward);
			let answer = |who: &AccountId| if sybils.contains(who) { RESULT_B } else { RESULT_A };
			for who in &assigned {
				assert_ok!(commit(*who, id, answer(who)));
			}
			for who in &assigned {
				assert_ok!(reveal(*who, id, answer(who)));
			}
			let settled = job(id);
			assert!(!settled.phase.is_open(), "every assignee revealed");
			sybil_seats += assigned.iter().filter(|who| sybils.contains(who)).count();
			honest_slashed += settled
				.assignees
				.iter()
				.filter(|a| !sybils.contains(&a.provider))
				.filter(|a| a.outcome == Some(JobOutcome::Deviated))
				.count();
		}
		// The old rule, quoted again before each job (the Sybils lose weight as they are
		// slashed), gave them 17 of the 60 seats and got honest providers slashed 7 times;
		// now they hold one seat. Each job is captured with a chance under the bound, so
		// honest slashes number at most `jobs * bound` (3.6) in expectation: none here.
		assert!(sybil_seats <= 10, "the Sybils held {sybil_seats} of 60 seats");
		let most = f64::from(jobs) * bound;
		assert!(
			(honest_slashed as f64) <= most,
			"honest providers slashed {honest_slashed} times in {jobs} jobs, {most:.1} expected"
		);
	});
}

/// The draw picks providers in proportion to their weights, which follow their records:
/// counted over 256 seeds for a single seat, veterans, newcomers and deviants are drawn as
/// often as their weights say. Drawing uniformly, or reading `agreed` for `deviated`, is off
/// by many standard deviations.
#[test]
fn the_draw_follows_the_weights_of_the_records() {
	run_test(|| {
		let groups: [(&[AccountId], u32, u32); 3] =
			[(&PROVIDERS[0..4], 63, 0), (&PROVIDERS[4..8], 0, 0), (&PROVIDERS[8..12], 0, 3)];
		for (members, agreed, deviated) in groups {
			for who in members {
				set_record(*who, agreed, deviated);
			}
		}
		let weight = |agreed, deviated| assignment_weight(u128::from(STAKE), agreed, deviated, 0);
		let total: u128 = groups.iter().map(|(m, a, d)| m.len() as u128 * weight(*a, *d)).sum();
		let trials = 256u32;
		let mut counts = [0u32; 3];
		for salt in 0..=255u8 {
			let drawn = and_undo(|| {
				RandomnessSalt::set(&salt);
				let (_, assigned) = submit_assigned(ALICE, 1, 1, PRICE * SORT_WORK_UNITS);
				assigned[0]
			});
			let group = groups.iter().position(|(m, _, _)| m.contains(&drawn)).expect("a provider");
			counts[group] += 1;
		}
		for (group, (members, agreed, deviated)) in groups.iter().enumerate() {
			let p = (members.len() as u128 * weight(*agreed, *deviated)) as f64 / total as f64;
			let expected = f64::from(trials) * p;
			let sigma = (f64::from(trials) * p * (1.0 - p)).sqrt();
			let off = (f64::from(counts[group]) - expected).abs() / sigma;
			assert!(off < 4.0, "group {group}: drawn {counts:?}, {expected:.0} expected");
		}
	});
}

/// The quote's bounds are the primitives' for its pool, and a stricter quorum is safer.
#[test]
fn the_quote_states_the_pool_share_and_the_capture_bounds() {
	run_test(|| {
		let majority = quote(5, 3);
		// Twelve equal providers at one price: all of them, all the weight.
		assert_eq!((majority.pool, majority.pool_share), (12, Perbill::one()));
		assert_eq!(majority.capture.len(), admission::COALITIONS.len());
		// The bounds hold for the lightest pool the draw may admit, whatever the reward and
		// whoever is busy: ten of the twelve (the count rule outweighs half the weight here),
		// with the four heaviest counted as drawn.
		let weight = assignment_weight(u128::from(STAKE), 0, 0, 0);
		for (capture, coalition) in majority.capture.iter().zip(admission::COALITIONS) {
			assert_eq!(capture.coalition, Perbill::from_parts(coalition));
			let expected = admission::capture_chance(
				admission::part_of(12 * weight, coalition),
				10 * weight,
				4 * weight,
				5,
				3,
			);
			assert_eq!(capture.chance, Perbill::from_parts(expected));
		}
		// A pool of two for one seat: half the weight is the lightest admitted pool.
		let single = quote(1, 1);
		let tenth = admission::part_of(12 * weight, admission::COALITIONS[2]);
		let expected = admission::capture_chance(tenth, 6 * weight, 0, 1, 1);
		assert_eq!(single.capture[2].chance, Perbill::from_parts(expected));
		assert_eq!(expected, 200_000_001, "a tenth of the weight is at most a fifth of a pool");
		let unanimous = quote(5, 5);
		for (strict, loose) in unanimous.capture.iter().zip(&majority.capture) {
			assert!(strict.chance <= loose.chance);
		}
		// The bounds grow with the coalition.
		assert!(majority.capture.windows(2).all(|w| w[0].chance <= w[1].chance));
		for quorum in [0, 2, 6] {
			assert_eq!(
				crate::Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 5, quorum),
				Err(QuoteError::InvalidQuorum)
			);
		}
	});
}

/// NM2 in part: a reward that no pool would accept even with every provider free is refused
/// while the providers are busy, instead of waiting in the queue for slots that would not help.
#[test]
fn a_reward_no_pool_accepts_is_refused_while_the_providers_are_busy() {
	run_test(|| {
		// Twelve providers with two slots each: three 5-replica jobs take 15 of the 24 slots,
		// so at least three providers are full and no pool of ten has room.
		for requester in [ALICE, ALICE, BOB] {
			submit(requester, 5, 3, PRICE * SORT_WORK_UNITS);
		}
		run_to(System::block_number() + DRAW_DELAY);
		let quote = quote(5, 3);
		assert!(matches!(quote.min_reward, Err(NoAssignment::AllAtCapacity { .. })));
		// Under every provider's cost: refused now, not queued (the old rule looked at the
		// price only once enough providers were free, and queued it).
		assert_noop!(
			try_submit(BOB, 5, 3, PRICE * SORT_WORK_UNITS - 1),
			Error::<Test>::RewardTooLow
		);
		// At their cost: accepted, and it waits for slots.
		let waiting = try_submit(BOB, 5, 3, PRICE * SORT_WORK_UNITS).unwrap();
		run_to(System::block_number() + DRAW_DELAY);
		assert!(matches!(
			crate::Pallet::<Test>::why_unassigned(waiting),
			Some(NoAssignment::AllAtCapacity { .. })
		));
	});
}

/// NL4: providers priced 0 make every cost 0; the quote still names a reward the chain accepts.
#[test]
fn a_quote_is_never_a_zero_reward() {
	run_test(|| {
		for provider in PROVIDERS {
			set_price(provider, 0);
		}
		let quote = quote(3, 2);
		assert_eq!(quote.min_reward, Ok(1));
		assert_ok!(try_submit(ALICE, 3, 2, 1));
	});
}
