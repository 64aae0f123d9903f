//! Jobs that run their course: attested, with deviants and no-shows, escalated, failed,
//! cancelled, pruned.

use crate::{mock::*, types::*, Event};
use frame_support::assert_ok;
use pallet_providers::JobOutcome;

const REWARD: Balance = 100;
/// `JOB_DEPOSIT` plus one unit per byte of the 16-byte sort input.
const DEPOSIT: Balance = JOB_DEPOSIT + 16 * BYTE_DEPOSIT;

fn slash_of(fraction_percent: u64) -> Balance {
	STAKE * fraction_percent / 100
}

#[test]
fn an_honest_quorum_is_attested_and_paid_within_the_reveal_block() {
	run_test(|| {
		let before = free(ALICE);
		let (id, providers) = submit_assigned(ALICE, 3, 2, REWARD);
		let input_hash = sp_core::H256(sp_crypto_hashing::blake2_256(&[7u8; 16]));
		assert_eq!(job(id).spec.input.hash, input_hash, "the input is known by its hash");
		assert_eq!(providers.len(), 3);
		assert!(providers.iter().all(|p| PROVIDERS.contains(p)));
		assert!(matches!(job(id).phase, Phase::Committing { until: 7 }));
		assert_eq!(free(ALICE), before - 3 * REWARD - DEPOSIT);
		let provider_funds: Vec<_> = providers.iter().map(|p| free(*p)).collect();

		for p in &providers {
			assert_ok!(commit(*p, id, RESULT_A));
		}
		assert!(
			matches!(job(id).phase, Phase::Revealing { until: 7 }),
			"all committed: reveals open at once"
		);
		for p in &providers {
			assert_ok!(reveal(*p, id, RESULT_A));
		}

		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(free(ALICE), before - 3 * REWARD, "deposit refunded, rewards paid");
		for (p, funds) in providers.iter().zip(provider_funds) {
			assert_eq!(free(*p), funds + REWARD);
			assert_eq!(provider(*p).active_jobs, 0);
			assert_eq!(provider(*p).reputation.agreed, 1);
		}
		let events = job_events();
		assert!(events.contains(&Event::Attested { job: id, result_hash: RESULT_A, agreeing: 3 }));
		assert!(events.contains(&Event::Refunded { job: id, requester: ALICE, amount: DEPOSIT }));
		assert_eq!(events.iter().filter(|e| matches!(e, Event::Paid { .. })).count(), 3);
	});
}

#[test]
fn a_deviant_is_slashed_to_the_requester_and_the_majority_paid() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let alice = free(ALICE);
		let deviant_funds = free(p[1]);
		for (who, result) in [(p[0], RESULT_A), (p[1], RESULT_B), (p[2], RESULT_A)] {
			assert_ok!(commit(who, id, result));
		}
		for (who, result) in [(p[0], RESULT_A), (p[1], RESULT_B), (p[2], RESULT_A)] {
			assert_ok!(reveal(who, id, result));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		let slash = slash_of(10);
		assert_eq!(provider(p[1]).stake, STAKE - slash);
		assert_eq!(free(p[1]), deviant_funds, "a deviant is not paid");
		assert_eq!(provider(p[1]).reputation.deviated, 1);
		// The requester gets the deviant's reward back, the deposit, and the slash.
		assert_eq!(free(ALICE), alice + REWARD + DEPOSIT + slash);
		assert!(job_events().contains(&Event::Slashed {
			job: id,
			provider: p[1],
			offence: Offence::WrongResult,
			amount: slash,
		}));
	});
}

#[test]
fn a_no_show_is_slashed_less_than_a_deviant() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		// p[2] never commits: reveals open when the commit window closes (block 7).
		run_to(8);
		assert!(matches!(job(id).phase, Phase::Revealing { until: 13 }));
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_A));
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(provider(p[2]).stake, STAKE - slash_of(2));
		assert!(slash_of(2) < slash_of(10));
		assert_eq!(provider(p[2]).reputation.no_shows, 1);
		assert_eq!(job(id).assignees[2].outcome, Some(JobOutcome::NoShow));
	});
}

#[test]
fn committing_without_revealing_is_a_no_show_at_the_reveal_deadline() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		for who in &p {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_A));
		assert!(job(id).phase.is_open(), "waits for the third reveal");
		run_to(8); // reveal window 2..=7
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(job(id).assignees[2].outcome, Some(JobOutcome::NoShow));
		assert_eq!(provider(p[2]).stake, STAKE - slash_of(2));
	});
}

#[test]
fn no_quorum_escalates_and_every_round_counts() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		for (who, result) in [(p[0], RESULT_A), (p[1], RESULT_B)] {
			assert_ok!(commit(who, id, result));
		}
		run_to(8);
		assert_ok!(reveal(p[0], id, RESULT_A));
		let alice = free(ALICE);
		assert_ok!(reveal(p[1], id, RESULT_B));
		// A split vote and a no-show: two more providers are assigned next block.
		assert!(job_events().contains(&Event::Escalated {
			job: id,
			round: 1,
			extra: ESCALATION_REPLICAS
		}));
		assert_eq!(
			free(ALICE),
			alice - ESCALATION_REPLICAS as Balance * REWARD,
			"extra rewards held"
		);
		next_block();
		let all = assignees(id);
		assert_eq!(all.len(), 5);
		let extra = &all[3..];
		assert!(extra.iter().all(|e| !p.contains(e)), "escalation draws new providers");
		assert_eq!(commit(p[0], id, RESULT_A), Err(crate::Error::<Test>::AlreadyCommitted.into()));
		for who in extra {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		for who in extra {
			assert_ok!(reveal(*who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		let outcomes: Vec<_> = job(id).assignees.iter().map(|a| a.outcome.unwrap()).collect();
		use JobOutcome::*;
		assert_eq!(outcomes, vec![Agreed, Deviated, NoShow, Agreed, Agreed]);
		assert_eq!(job(id).paid, 3 * REWARD);
	});
}

#[test]
fn without_a_quorum_after_every_escalation_the_job_fails_and_refunds() {
	run_test(|| {
		let before = free(ALICE);
		let (id, p) = submit_assigned(ALICE, 1, 1, REWARD);
		// Nobody commits, in either round.
		run_to(8);
		assert!(job_events().contains(&Event::Escalated {
			job: id,
			round: 1,
			extra: ESCALATION_REPLICAS
		}));
		next_block();
		assert_eq!(assignees(id).len(), 3);
		let round_two = assignees(id)[1..].to_vec();
		assert_ok!(commit(round_two[0], id, RESULT_A));
		assert_ok!(commit(round_two[1], id, RESULT_B));
		assert_ok!(reveal(round_two[0], id, RESULT_A));
		assert_ok!(reveal(round_two[1], id, RESULT_B));
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::NoQuorum });
		// Revealers are released without a verdict; the no-show of round 0 is slashed.
		assert_eq!(provider(round_two[0]).reputation, Default::default());
		assert_eq!(provider(round_two[0]).active_jobs, 0);
		assert_eq!(provider(p[0]).stake, STAKE - slash_of(2));
		assert_eq!(free(ALICE), before + slash_of(2), "everything refunded, plus the slash");
	});
}

#[test]
fn an_escalation_the_requester_cannot_fund_fails_the_job() {
	run_test(|| {
		// POOR can pay one replica (100 + 26 deposit) but not two more.
		let (id, p) = submit_assigned(POOR, 1, 1, REWARD);
		run_to(8);
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::EscalationUnfunded });
		// Nobody revealed, so nobody is slashed: the job may be at fault (see `fail`).
		assert_eq!(free(POOR), POOR_FUNDS);
		assert_eq!(provider(p[0]).stake, STAKE);
		assert_eq!(job(id).assignees[0].outcome, Some(JobOutcome::Inconclusive));
	});
}

#[test]
fn a_job_no_provider_can_take_says_why_and_fails_at_its_deadline() {
	run_test(|| {
		let before = free(ALICE);
		let id = submit_matmul(ALICE);
		next_block();
		let reason = NoAssignment::NoProviderSupportsKernel;
		assert!(
			job_events().contains(&Event::AssignmentDeferred { job: id, reason: reason.clone() })
		);
		assert_eq!(crate::Pallet::<Test>::why_unassigned(id), Some(reason.clone()));
		assert_eq!(job(id).unassigned, Some(reason.clone()));
		run_to(1 + ASSIGNMENT_TIMEOUT);
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::Unassigned(reason.clone()) });
		assert_eq!(free(ALICE), before, "refunded in full");
		assert_eq!(crate::Pallet::<Test>::why_unassigned(id), Some(reason));
	});
}

/// Submits a 1x1x1 matmul-i8 job, a kernel no genesis provider lists.
fn submit_matmul(who: AccountId) -> JobId {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit(
		RuntimeOrigin::signed(who),
		concord_primitives::kernel::KernelId::MatmulI8,
		vec![1, 1, 1],
		InputSpec::Inline(vec![1, 1]),
		1,
		1,
		REWARD,
		5,
		5,
	));
	id
}

#[test]
fn a_low_reward_is_told_the_reward_that_would_do() {
	run_test(|| {
		let cost = PRICE * SORT_WORK_UNITS;
		let id = submit(ALICE, 2, 2, cost - 1);
		next_block();
		let reason = NoAssignment::PriceTooLow { min_reward: cost };
		assert_eq!(job(id).unassigned, Some(reason.clone()));
		// One provider gets cheaper: still one short of two.
		assert_ok!(Providers::update(RuntimeOrigin::signed(PROVIDERS[0]), None, None, Some(0)));
		assert_eq!(crate::Pallet::<Test>::why_unassigned(id), Some(reason));
		assert_ok!(Providers::update(RuntimeOrigin::signed(PROVIDERS[1]), None, None, Some(1)));
		run_to(2 + RETRY_INTERVAL);
		let mut assigned = assignees(id);
		assigned.sort();
		assert_eq!(assigned, vec![PROVIDERS[0], PROVIDERS[1]], "only they accept the reward");
		assert!(matches!(job(id).phase, Phase::Committing { .. }));
	});
}

#[test]
fn full_providers_are_reported_as_at_capacity() {
	run_test(|| {
		// Six providers with two slots each: two jobs of five replicas fill ten of the twelve.
		let first = submit(ALICE, 5, 3, REWARD);
		let second = submit(BOB, 5, 3, REWARD);
		next_block();
		assert_eq!(assignees(first).len() + assignees(second).len(), 10);
		let third = submit(ALICE, 3, 2, REWARD);
		next_block();
		// At least four providers are full (more if both jobs left out the same one).
		let Some(NoAssignment::AllAtCapacity { listed: 6, at_capacity, wanted: 3 }) =
			job(third).unassigned
		else {
			panic!("expected AllAtCapacity, got {:?}", job(third).unassigned)
		};
		assert!(at_capacity >= 4);
	});
}

#[test]
fn a_requester_is_never_assigned_its_own_job() {
	run_test(|| {
		// Provider 10 asks for five replicas: exactly the five other providers.
		let id = submit(PROVIDERS[0], 5, 3, REWARD);
		next_block();
		let mut assigned = assignees(id);
		assigned.sort();
		assert_eq!(assigned, PROVIDERS[1..].to_vec());
		// With two providers offline, four are online; less the requester, three are left.
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(PROVIDERS[4])));
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(PROVIDERS[5])));
		let too_many = submit(PROVIDERS[0], 4, 3, REWARD);
		next_block();
		assert_eq!(
			job(too_many).unassigned,
			Some(NoAssignment::TooFewEligible { eligible: 3, wanted: 4 })
		);
	});
}

#[test]
fn cancel_refunds_before_assignment_only() {
	run_test(|| {
		let before = free(ALICE);
		let id = submit(ALICE, 3, 2, REWARD);
		assert_eq!(
			Jobs::cancel(RuntimeOrigin::signed(BOB), id),
			Err(crate::Error::<Test>::NotRequester.into())
		);
		assert_ok!(Jobs::cancel(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(job(id).phase, Phase::Cancelled);
		assert_eq!(free(ALICE), before);
		assert_eq!(
			Jobs::cancel(RuntimeOrigin::signed(ALICE), id),
			Err(crate::Error::<Test>::JobEnded.into())
		);
		let (assigned, _) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_eq!(
			Jobs::cancel(RuntimeOrigin::signed(ALICE), assigned),
			Err(crate::Error::<Test>::AlreadyAssigned.into())
		);
	});
}

#[test]
fn ended_jobs_are_pruned_after_the_retention_period() {
	run_test(|| {
		let id = submit(ALICE, 3, 2, REWARD);
		assert_ok!(Jobs::cancel(RuntimeOrigin::signed(ALICE), id));
		run_to(1 + RETENTION - 1);
		assert!(crate::Jobs::<Test>::contains_key(id));
		next_block();
		assert!(!crate::Jobs::<Test>::contains_key(id));
		assert_eq!(crate::EndedRange::<Test>::get(), (1, 1));
	});
}

#[test]
fn a_provider_that_leaves_mid_job_still_settles() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(p[0])));
		for who in &p {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		for who in &p {
			assert_ok!(reveal(*who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(provider(p[0]).active_jobs, 0);
	});
}
