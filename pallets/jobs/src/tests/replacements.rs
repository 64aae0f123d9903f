//! A decliner's seat is drawn again within its round, blind, once (issue 23, slice 3): a
//! decline never shrinks a round nor sends it to a panel for the decline fee, and a decliner
//! chooses when it steps out, never whom its seat goes to.

use crate::{mock::*, types::*, Event, Pallet};
use concord_primitives::kernel::KernelId;
use frame_support::{assert_noop, assert_ok};
use pallet_providers::JobOutcome;

const REWARD: Balance = 100;

fn decline(who: AccountId, id: JobId) {
	assert_ok!(Jobs::decline(RuntimeOrigin::signed(who), id));
}

/// The providers drawn into job `id` as replacements, by its `Replaced` events.
fn replacements(id: JobId) -> Vec<AccountId> {
	job_events()
		.into_iter()
		.filter_map(|event| match event {
			Event::Replaced { job, providers, .. } if job == id => Some(providers),
			_ => None,
		})
		.flatten()
		.collect()
}

fn seats_to_replace(id: JobId) -> u32 {
	Pallet::<Test>::seats_to_replace(&job(id))
}

/// An attacker holding two seats of a unanimous round of four declines both, for the fee, so
/// that the honest reveals fall short of the quorum and the job goes to a panel. Each seat is
/// drawn again within the round, from providers not on the job; the round attests with four
/// reveals and never escalates. The decliners pay the fee and earn nothing. (Before
/// replacements the round ended with two reveals and escalated.)
#[test]
fn declined_seats_are_drawn_again_so_declining_cannot_shrink_a_round() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 4, 4, REWARD);
		let (honest, attacker) = (&p[..2], &p[2..]);
		for who in attacker {
			decline(*who, id);
		}
		assert_eq!(seats_to_replace(id), 2);
		run_to(System::block_number() + DRAW_DELAY);

		let drawn = replacements(id);
		assert_eq!(drawn.len(), 2, "both seats are drawn again");
		assert!(drawn.iter().all(|who| !p.contains(who) && *who != ALICE));
		assert_eq!(job(id).round, 0, "within the round");
		for who in honest.iter().chain(&drawn) {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		for who in honest.iter().chain(&drawn) {
			assert_ok!(reveal(*who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert!(!job_events().iter().any(|e| matches!(e, Event::Escalated { .. })));
		for who in honest.iter().chain(&drawn) {
			assert!(job_events().contains(&Event::Paid {
				job: id,
				provider: *who,
				amount: REWARD
			}));
		}
		for who in attacker {
			assert_eq!(provider(*who).stake, STAKE - DECLINE_FEE);
			assert!(!job_events().iter().any(|e| matches!(
				e,
				Event::Paid { provider, .. } if provider == who
			)));
		}
	});
}

/// Blind: a replacement commits before any reveal of its round is public. Every other seat
/// committed and the last one declined: the reveals stay closed until the replacement
/// commits (they used to open on that decline).
#[test]
fn reveals_wait_for_the_replacement_to_commit() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		decline(p[2], id);
		assert!(matches!(job(id).phase, Phase::Committing { .. }), "waits for the replacement");
		assert_noop!(reveal(p[0], id, RESULT_A), crate::Error::<Test>::RevealTooEarly);

		run_to(System::block_number() + DRAW_DELAY);
		let [replacement] = replacements(id)[..] else { panic!("one seat drawn again") };
		assert!(matches!(job(id).phase, Phase::Committing { .. }));
		assert_eq!(owing(id), vec![replacement], "only the replacement owes a commit");
		assert_ok!(commit(replacement, id, RESULT_A));
		assert!(matches!(job(id).phase, Phase::Revealing { .. }));
		for who in [p[0], p[1], replacement] {
			assert_ok!(reveal(who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		let agreeing =
			job(id).assignees.iter().filter(|a| a.outcome == Some(JobOutcome::Agreed)).count();
		assert_eq!(agreeing, 3);
	});
}

/// At most once per seat: a replacement that declines leaves its seat empty, and the round
/// goes on with the others.
#[test]
fn a_replacement_that_declines_is_not_replaced() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		decline(p[2], id);
		run_to(System::block_number() + DRAW_DELAY);
		let [replacement] = replacements(id)[..] else { panic!("one seat drawn again") };
		decline(replacement, id);
		assert_eq!(seats_to_replace(id), 0);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		assert!(matches!(job(id).phase, Phase::Revealing { .. }), "nothing left to wait for");
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_A));
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(replacements(id).len(), 1, "never drawn a second time");
		assert_eq!(job(id).assignees.len(), 4);
	});
}

/// A decliner picks when it steps out, never whom its seat goes to: the seat is drawn
/// `DrawDelay` blocks after the round's last decline, with the VRF output of the blocks in
/// between. A second decline a block after the first moves both draws with it.
#[test]
fn seats_are_drawn_again_draw_delay_after_the_last_decline() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 5, 3, REWARD);
		decline(p[3], id);
		next_block();
		decline(p[4], id);
		let last_decline = System::block_number();
		run_to(last_decline + DRAW_DELAY - 1);
		assert!(replacements(id).is_empty(), "not before DrawDelay after the last decline");
		next_block();
		assert_eq!(replacements(id).len(), 2, "both seats at once");
		assert_eq!(seats_to_replace(id), 0);
	});
}

/// A decline in the last block of the commit window still has its seat drawn again: the
/// round's commit window stretches to give the replacement what the work needs (not the
/// requester's whole window, which would hold the early committers' slots longer: NM3), and
/// the assignees that committed early wait for it.
#[test]
fn a_decline_in_the_windows_last_block_still_gets_its_seat_filled() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 3, REWARD);
		let Phase::Committing { until } = job(id).phase else { panic!("assigned") };
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		run_to(until);
		decline(p[2], id);
		run_to(until + DRAW_DELAY);
		let [replacement] = replacements(id)[..] else { panic!("one seat drawn again") };
		let Phase::Committing { until: stretched } = job(id).phase else {
			panic!("still committing")
		};
		let quote = Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 3, 3).unwrap();
		let needed = quote.min_commit_window as u64;
		assert!(needed < job(id).spec.commit_window);
		assert_eq!(stretched, until + DRAW_DELAY + needed);
		run_to(stretched);
		assert_ok!(commit(replacement, id, RESULT_A));
		for who in [p[0], p[1], replacement] {
			assert_ok!(reveal(who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
	});
}

/// A job of one seat drawn while only two providers are online: the one left is too few for
/// a replacement's pool of two. Returns the job, its assignee and its commit deadline.
fn one_seat_and_one_spare() -> (JobId, AccountId, u64) {
	for who in &PROVIDERS[2..] {
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(*who)));
	}
	run_to(System::block_number() + ACTIVATION_DELAY);
	let (id, p) = submit_assigned(ALICE, 1, 1, REWARD);
	let Phase::Committing { until } = job(id).phase else { panic!("assigned") };
	(id, p[0], until)
}

/// With nobody to take a declined seat, the replacement is tried again at growing intervals,
/// reveals still closed, until `AssignmentTimeout` after the commit window (the API says why
/// it waits); a last try then, and the round goes on with the seat empty.
#[test]
fn a_seat_nobody_can_take_stays_empty_once_the_retries_run_out() {
	run_test(|| {
		let (id, drawn, until) = one_seat_and_one_spare();
		decline(drawn, id);
		let too_small = NoAssignment::PoolTooSmall { eligible: 1, needed: 2 };
		run_to(until + ASSIGNMENT_TIMEOUT - 1);
		assert_eq!(job(id).phase, Phase::Committing { until }, "still tried");
		assert_eq!(Pallet::<Test>::why_unassigned(id), Some(too_small));
		run_to(until + ASSIGNMENT_TIMEOUT);
		assert!(replacements(id).is_empty());
		assert_eq!(job(id).round, 1, "the round ended without the seat and escalated");
		assert_eq!(job(id).unassigned, None);
	});
}

/// A replacement nobody can take yet used to be tried every `RETRY_INTERVAL` blocks until
/// `AssignmentTimeout` after the window (14 tries here). It is now tried at growing intervals
/// counted from the start of the commit window, up to a quarter of `AssignmentTimeout` apart,
/// and at no cost to the requester: the decliner's fee paid for them.
#[test]
fn a_replacement_nobody_can_take_yet_is_tried_at_growing_intervals_on_the_decliners_fee() {
	run_test(|| {
		AssignmentTimeout::set(&24);
		let (id, drawn, until) = one_seat_and_one_spare();
		let start = until - job(id).spec.commit_window;
		assert_eq!(System::block_number(), start, "the window starts with the draw");
		decline(drawn, id);
		let before = free(ALICE);

		let deferrals = deferrals_until(id, until + 24);

		let waited: Vec<u64> = deferrals.iter().map(|(at, _)| at - start).collect();
		assert_eq!(waited, [2, 4, 8, 14, 20, 26]);
		assert!(deferrals.iter().all(|(_, fee)| *fee == 0), "the requester pays nothing");
		assert_eq!(free(ALICE), before);
		assert!(replacements(id).is_empty());
		assert!(!matches!(job(id).phase, Phase::Committing { .. }), "the round went on");
	});
}

/// Declining in the window's last block while no replacement is free used to get one try at
/// a replacement, after the window: it failed, and the round went to a panel short of the
/// seat (or failed). The draw is now tried again after the window, and takes a provider that
/// comes back a few blocks later; the round attests without escalating.
#[test]
fn a_late_decline_with_no_replacement_free_yet_still_gets_its_seat_filled() {
	run_test(|| {
		let (id, drawn, until) = one_seat_and_one_spare();
		run_to(until);
		decline(drawn, id);
		let back = PROVIDERS[2];
		assert_ok!(Providers::go_online(RuntimeOrigin::signed(back)));
		run_to(until + DRAW_DELAY);
		assert!(replacements(id).is_empty(), "nobody to draw yet");
		assert_eq!(job(id).round, 0, "not sent to a panel");
		let mut block = System::block_number();
		while replacements(id).is_empty() && block <= until + ASSIGNMENT_TIMEOUT {
			block += 1;
			run_to(block);
		}
		let [replacement] = replacements(id)[..] else { panic!("the seat was drawn again") };
		assert_ok!(commit(replacement, id, RESULT_A));
		assert_ok!(reveal(replacement, id, RESULT_A));
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert!(!job_events().iter().any(|e| matches!(e, Event::Escalated { .. })));
	});
}

/// A replacement's decline adds no seat to draw, so it must not re-roll another seat's
/// pending draw by moving it: the pending draw stays `DrawDelay` after the decline of the
/// drawn seat it replaces.
#[test]
fn a_replacements_decline_leaves_a_pending_draw_where_it_is() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 5, 3, REWARD);
		decline(p[3], id);
		run_to(System::block_number() + DRAW_DELAY);
		let [first] = replacements(id)[..] else { panic!("one seat drawn again") };
		decline(p[4], id);
		let due = System::block_number() + DRAW_DELAY;
		next_block();
		decline(first, id);
		assert_eq!(seats_to_replace(id), 1, "only p[4]'s seat");
		run_to(due);
		assert_eq!(replacements(id).len(), 2, "drawn when it was due");
	});
}
