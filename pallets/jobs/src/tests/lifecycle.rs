//! Jobs that run their course: attested, with deviants and no-shows, escalated, failed,
//! cancelled, pruned.

use crate::{mock::*, types::*, Event};
use frame_support::assert_ok;
use pallet_providers::JobOutcome;

const REWARD: Balance = 100;
/// `JOB_DEPOSIT`, one unit per byte of the 16-byte sort input, and the fees of every
/// assignment attempt that may find no pool.
fn deposit() -> Balance {
	JOB_DEPOSIT + 16 * BYTE_DEPOSIT + Jobs::retry_budget()
}

fn slash_of(fraction_percent: u64) -> Balance {
	STAKE * fraction_percent / 100
}

/// Escrow held for a job of `replicas` at `REWARD`: its replicas and every escalation panel.
fn escrow(replicas: u32) -> Balance {
	(replicas + MAX_ESCALATIONS * ESCALATION_REPLICAS) as Balance * REWARD + deposit()
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
		assert!(matches!(job(id).phase, Phase::Committing { until: 8 }));
		assert_eq!(free(ALICE), before - escrow(3), "escalations are paid for up front");
		let provider_funds: Vec<_> = providers.iter().map(|p| free(*p)).collect();

		for p in &providers {
			assert_ok!(commit(*p, id, RESULT_A));
		}
		assert!(
			matches!(job(id).phase, Phase::Revealing { until: 8 }),
			"all committed: reveals open at once"
		);
		for p in &providers {
			assert_ok!(reveal(*p, id, RESULT_A));
		}

		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(free(ALICE), before - 3 * REWARD, "deposit and unused escrow refunded");
		for (p, funds) in providers.iter().zip(provider_funds) {
			assert_eq!(free(*p), funds + REWARD);
			assert_eq!(provider(*p).active_jobs, 0);
			assert_eq!(provider(*p).reputation.agreed, 1);
		}
		let events = job_events();
		assert!(events.contains(&Event::Attested { job: id, result_hash: RESULT_A, agreeing: 3 }));
		assert!(events.contains(&Event::Refunded {
			job: id,
			requester: ALICE,
			amount: escrow(3) - 3 * REWARD
		}));
		assert_eq!(events.iter().filter(|e| matches!(e, Event::Paid { .. })).count(), 3);
	});
}

#[test]
fn a_deviant_is_slashed_and_burnt_and_the_majority_paid() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let alice = free(ALICE);
		let deviant_funds = free(p[1]);
		for (who, result) in [(p[0], RESULT_A), (p[1], RESULT_B), (p[2], RESULT_A)] {
			assert_ok!(commit(who, id, result));
		}
		let issued = issuance();
		for (who, result) in [(p[0], RESULT_A), (p[1], RESULT_B), (p[2], RESULT_A)] {
			assert_ok!(reveal(who, id, result));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		let slash = slash_of(10);
		assert_eq!(provider(p[1]).stake, STAKE - slash);
		assert_eq!(free(p[1]), deviant_funds, "a deviant is not paid");
		assert_eq!(provider(p[1]).reputation.deviated, 1);
		// The requester gets back what it did not pay out, and nothing of the slash.
		assert_eq!(free(ALICE), alice + escrow(3) - 2 * REWARD);
		assert_eq!(issuance(), issued - slash, "the slash is burnt");
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
		// p[2] never commits: reveals open when the commit window closes (block 8).
		run_to(9);
		assert!(matches!(job(id).phase, Phase::Revealing { until: 14 }));
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
fn committing_then_withholding_costs_as_much_as_a_wrong_result() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		for who in &p {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_A));
		assert!(job(id).phase.is_open(), "waits for the third reveal");
		run_to(9); // reveal window 3..=8
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(job(id).assignees[2].outcome, Some(JobOutcome::Deviated));
		assert_eq!(provider(p[2]).stake, STAKE - slash_of(10));
		assert!(job_events().contains(&Event::Slashed {
			job: id,
			provider: p[2],
			offence: Offence::Withheld,
			amount: slash_of(10),
		}));
	});
}

#[test]
fn no_quorum_escalates_to_a_fresh_panel_whose_verdict_judges_every_round() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		for (who, result) in [(p[0], RESULT_A), (p[1], RESULT_B)] {
			assert_ok!(commit(who, id, result));
		}
		run_to(9);
		assert_ok!(reveal(p[0], id, RESULT_A));
		let alice = free(ALICE);
		assert_ok!(reveal(p[1], id, RESULT_B));
		// A split vote and a no-show: a panel of three is drawn DRAW_DELAY blocks later.
		assert!(job_events().contains(&Event::Escalated {
			job: id,
			round: 1,
			extra: ESCALATION_REPLICAS
		}));
		assert_eq!(free(ALICE), alice, "the panel's rewards were held at submission");
		run_to(9 + DRAW_DELAY);
		let all = assignees(id);
		assert_eq!(all.len(), 6);
		let panel = &all[3..];
		assert!(panel.iter().all(|e| !p.contains(e)), "escalation draws new providers");
		assert_eq!(commit(p[0], id, RESULT_A), Err(crate::Error::<Test>::AlreadyCommitted.into()));
		for who in panel {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		for who in panel {
			assert_ok!(reveal(*who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		let outcomes: Vec<_> = job(id).assignees.iter().map(|a| a.outcome.unwrap()).collect();
		use JobOutcome::*;
		assert_eq!(outcomes, vec![Agreed, Deviated, NoShow, Agreed, Agreed, Agreed]);
		assert_eq!(job(id).paid, 4 * REWARD);
	});
}

#[test]
fn without_a_quorum_after_every_escalation_nobody_is_slashed_and_revealers_get_a_share() {
	run_test(|| {
		let before = free(ALICE);
		let (id, p) = submit_assigned(ALICE, 1, 1, REWARD);
		// Nobody commits in round 0.
		run_to(9);
		assert!(job_events().contains(&Event::Escalated {
			job: id,
			round: 1,
			extra: ESCALATION_REPLICAS
		}));
		run_to(9 + DRAW_DELAY);
		assert_eq!(assignees(id).len(), 4);
		let panel = assignees(id)[1..].to_vec();
		assert_ok!(commit(panel[0], id, RESULT_A));
		assert_ok!(commit(panel[1], id, RESULT_B));
		run_to(9 + DRAW_DELAY + 6);
		let funds = free(panel[0]);
		assert_ok!(reveal(panel[0], id, RESULT_A));
		assert_ok!(reveal(panel[1], id, RESULT_B));
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::NoQuorum });
		// No verdict, so no blame: the no-shows of both rounds keep their stake.
		assert_eq!(provider(p[0]).stake, STAKE);
		assert_eq!(provider(panel[2]).stake, STAKE);
		assert_eq!(provider(panel[0]).reputation, Default::default());
		assert_eq!(provider(panel[0]).active_jobs, 0);
		let share = REWARD / 2;
		assert_eq!(free(panel[0]), funds + share, "a revealer is paid its share");
		assert_eq!(free(ALICE), before - 2 * share, "the rest is refunded");
	});
}

#[test]
fn escalations_are_held_at_submission_so_none_can_go_unfunded() {
	run_test(|| {
		// POOR could pay one replica (100 + 30 deposit), not the panel an escalation needs.
		assert_eq!(
			Jobs::submit(
				RuntimeOrigin::signed(POOR),
				concord_primitives::kernel::KernelId::SortU32,
				sort_params(),
				sort_input(),
				1,
				1,
				REWARD,
				5,
				5
			),
			Err(crate::Error::<Test>::InsufficientBalance.into())
		);
		assert_eq!(free(POOR), POOR_FUNDS);
	});
}

#[test]
fn a_job_no_provider_runs_is_refused_at_submission() {
	run_test(|| {
		let before = free(ALICE);
		assert_eq!(
			Jobs::submit(
				RuntimeOrigin::signed(ALICE),
				concord_primitives::kernel::KernelId::MatmulI8,
				vec![1, 1, 1],
				InputSpec::Inline(vec![1, 1]),
				1,
				1,
				REWARD,
				5,
				5,
			),
			Err(crate::Error::<Test>::NoProviderSupportsKernel.into())
		);
		assert_eq!(free(ALICE), before);
		assert_eq!(crate::NextJobId::<Test>::get(), 0, "nothing was stored");
	});
}

/// The least reward is what admits providers holding half the live weight, and half of it
/// beyond the heaviest: at least the weighted median cost, not the pool's count of cheapest
/// (the old rule quoted the fourth lowest cost here).
#[test]
fn a_low_reward_is_refused_and_the_quote_names_the_least_cost_that_admits_a_pool() {
	run_test(|| {
		// Twelve providers of equal weight at prices 1 to 12, for two seats: half the weight
		// is the six cheapest, and half the weight beyond the heaviest (five and a half of
		// eleven) the seven cheapest, the seventh asking 7 per work unit.
		for (provider, price) in PROVIDERS.iter().zip(1..) {
			assert_ok!(Providers::update(
				RuntimeOrigin::signed(*provider),
				None,
				None,
				Some(price)
			));
			make_assignable(*provider);
		}
		let quote = crate::Pallet::<Test>::quote(
			concord_primitives::kernel::KernelId::SortU32,
			sort_params(),
			2,
			2,
		)
		.expect("valid");
		assert_eq!(quote.min_reward, Ok(7 * SORT_WORK_UNITS), "the least admitting cost");
		assert_eq!((quote.pool, quote.pool_needed), (7, 4));
		assert_eq!(quote.pool_share, sp_runtime::Perbill::from_parts(583_333_333));
		let refused = Jobs::submit(
			RuntimeOrigin::signed(ALICE),
			concord_primitives::kernel::KernelId::SortU32,
			sort_params(),
			sort_input(),
			2,
			2,
			7 * SORT_WORK_UNITS - 1,
			5,
			5,
		);
		assert_eq!(refused, Err(crate::Error::<Test>::RewardTooLow.into()));
		let id = submit(ALICE, 2, 2, 7 * SORT_WORK_UNITS);
		run_to(1 + DRAW_DELAY);
		let assigned = assignees(id);
		assert!(assigned.iter().all(|a| PROVIDERS[..7].contains(a)), "only they accept it");
	});
}

#[test]
fn full_providers_are_reported_as_at_capacity() {
	run_test(|| {
		// Twelve providers with two slots each: three jobs of five replicas take 15 of the 24
		// slots, so at least three providers are full and at most nine free: too few for the
		// pool of ten of a fourth job submitted after they were drawn (its draw reads the
		// registry as it stood then).
		for requester in [ALICE, ALICE, BOB] {
			submit(requester, 5, 3, REWARD);
		}
		run_to(1 + DRAW_DELAY);
		let fourth = submit(BOB, 5, 3, REWARD);
		run_to(1 + 2 * DRAW_DELAY);
		let Some(NoAssignment::AllAtCapacity { listed: 12, at_capacity, needed: 10 }) =
			job(fourth).unassigned
		else {
			panic!("expected AllAtCapacity, got {:?}", job(fourth).unassigned)
		};
		assert!(at_capacity >= 3);
	});
}

#[test]
fn a_requester_is_never_assigned_its_own_job() {
	run_test(|| {
		for _ in 0..4 {
			let id = submit(PROVIDERS[0], 5, 3, REWARD);
			run_to(System::block_number() + DRAW_DELAY);
			assert!(!assignees(id).contains(&PROVIDERS[0]));
		}
		// Two providers go offline; once that reaches assignment, eleven less two is too few
		// for a pool of ten.
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(PROVIDERS[4])));
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(PROVIDERS[5])));
		run_to(System::block_number() + ACTIVATION_DELAY);
		assert_eq!(
			Jobs::submit(
				RuntimeOrigin::signed(PROVIDERS[0]),
				concord_primitives::kernel::KernelId::SortU32,
				sort_params(),
				sort_input(),
				5,
				3,
				REWARD,
				5,
				5
			),
			Err(crate::Error::<Test>::PoolTooSmall.into())
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

/// The escrow invariant covers every account, not only requesters with open jobs: a hold left
/// on an account whose jobs all ended (a leak) fails it, and releasing it restores it.
#[test]
fn escrow_held_from_an_account_with_no_open_job_breaks_the_invariants() {
	use frame_support::traits::{fungible::MutateHold, tokens::Precision};
	run_test(|| {
		let id = submit(BOB, 3, 2, REWARD);
		assert_ok!(Jobs::cancel(RuntimeOrigin::signed(BOB), id));
		assert_ok!(crate::Pallet::<Test>::do_try_state());
		let reason: RuntimeHoldReason = crate::HoldReason::JobEscrow.into();
		assert_ok!(<Balances as MutateHold<_>>::hold(&reason, &BOB, REWARD));
		assert!(crate::Pallet::<Test>::do_try_state().is_err(), "a leaked hold went unseen");
		assert_ok!(<Balances as MutateHold<_>>::release(&reason, &BOB, REWARD, Precision::Exact));
		assert_ok!(crate::Pallet::<Test>::do_try_state());
	});
}
