//! Escalations are never weaker than the round they judge (issue 23, slice 3; NH1 in
//! ../shared/reviews/SECURITY-REVIEW.md): a panel has at least the round's seats and quorum,
//! and a panel's verdict that more assignees over every round voted against slashes nobody.

use crate::{mock::*, types::*, Event};
use concord_primitives::{kernel::KernelId, market::panel::Panel};
use frame_support::{assert_noop, assert_ok};
use pallet_providers::JobOutcome;
use sp_core::H256;

const REWARD: Balance = 100;
const RESULT_C: H256 = H256::repeat_byte(0xcc);
const RESULT_D: H256 = H256::repeat_byte(0xdd);

/// Four more providers like the genesis ones: a round whose declined seats are drawn again
/// takes more providers from the pool its panels are drawn from.
fn four_more_providers() {
	for who in 40..44 {
		register_sybil(who, PRICE, STAKE, 2);
		make_assignable(who);
	}
}

fn decline(who: AccountId, id: JobId) {
	assert_ok!(Jobs::decline(RuntimeOrigin::signed(who), id));
}

/// The assignees of job `id`'s current round, in the order they were drawn.
fn this_round(id: JobId) -> Vec<AccountId> {
	let job = job(id);
	job.assignees.iter().filter(|a| a.round == job.round).map(|a| a.provider).collect()
}

/// Commits each `(provider, result)` of a round, then reveals them; a provider given `None`
/// declines instead, and so does its seat's replacement, drawn `DRAW_DELAY` later (the
/// attacker holds it too, or nobody would bother). The last commit or decline opens the
/// reveals, and the last reveal concludes the round.
fn play_round(id: JobId, moves: &[(AccountId, Option<H256>)]) {
	for (who, result) in moves {
		match result {
			Some(result) => {
				assert_ok!(commit(*who, id, *result));
			}
			None => decline(*who, id),
		}
	}
	if moves.iter().any(|(_, result)| result.is_none()) {
		let drawn = this_round(id).len();
		run_to(System::block_number() + DRAW_DELAY);
		for replacement in this_round(id)[drawn..].to_vec() {
			decline(replacement, id);
		}
	}
	for (who, result) in moves {
		if let Some(result) = result {
			assert_ok!(reveal(*who, id, *result));
		}
	}
}

/// NH1: an attacker holding seats of a unanimous round declines them (for the decline fee),
/// and the replacements drawn for them too (it holds those as well, the worst case), so that
/// the honest reveals fall short of the quorum. The job used to go to a panel of three
/// decided by two, where two attacker seats attested a forgery and the panel's verdict slashed
/// the honest revealers. Now the panel has the round's four seats and needs all four: three
/// attacker seats of four decide nothing, and nobody honest is slashed. (With a quorum of three
/// the forgery would tie the true result at three votes over both rounds, and stand.)
#[test]
fn declined_seats_cannot_send_a_unanimous_job_to_an_easier_panel() {
	run_test(|| {
		four_more_providers();
		let (id, p) = submit_assigned(ALICE, 4, 4, REWARD);
		assert_eq!(job(id).spec.panel, Panel { seats: 4, quorum: 4 });
		let (honest, attacker) = (&p[..2], &p[2..]);
		play_round(
			id,
			&[
				(honest[0], Some(RESULT_A)),
				(honest[1], Some(RESULT_A)),
				(attacker[0], None),
				(attacker[1], None),
			],
		);
		assert!(job_events().contains(&Event::Escalated { job: id, round: 1, extra: 4 }));

		run_to(System::block_number() + DRAW_DELAY);
		let panel = this_round(id);
		assert_eq!(panel.len(), 4, "the panel has the round's seats");
		// Three panel seats are the attacker's; the fourth computes honestly.
		play_round(
			id,
			&[
				(panel[0], Some(RESULT_B)),
				(panel[1], Some(RESULT_B)),
				(panel[2], Some(RESULT_B)),
				(panel[3], Some(RESULT_A)),
			],
		);
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::NoQuorum });
		for who in honest.iter().chain(&panel[3..]) {
			assert_eq!(provider(*who).stake, STAKE, "honest {who} lost stake");
			assert_eq!(provider(*who).reputation.deviated, 0);
		}
	});
}

/// A job of 3 replicas, quorum 2, that takes every escalation: round 0 reveals A and
/// `second` (its third seat declines), the first panel A and D (its third declines), and the
/// last panel B, B and A, which attests B by its own count. Returns the job and each round's
/// assignees.
fn three_rounds(second: H256) -> (JobId, [Vec<AccountId>; 3]) {
	MaxEscalations::set(&2);
	four_more_providers();
	let (id, round_0) = submit_assigned(ALICE, 3, 2, REWARD);
	play_round(id, &[(round_0[0], Some(RESULT_A)), (round_0[1], Some(second)), (round_0[2], None)]);
	run_to(System::block_number() + DRAW_DELAY);
	let first = this_round(id);
	play_round(id, &[(first[0], Some(RESULT_A)), (first[1], Some(RESULT_D)), (first[2], None)]);
	run_to(System::block_number() + DRAW_DELAY);
	let last = this_round(id);
	assert_eq!(last.len(), 3, "the last panel has the round's seats");
	play_round(
		id,
		&[(last[0], Some(RESULT_B)), (last[1], Some(RESULT_B)), (last[2], Some(RESULT_A))],
	);
	(id, [round_0, first, last])
}

/// Two escalations whose panels each saw one honest reveal: A was revealed three times over
/// every round, the B that the last panel attests twice. The job is contested, and nobody is
/// slashed (the panel's verdict used to slash the three revealers of A). Revealers get the
/// share a failed job pays.
#[test]
fn a_verdict_fewer_assignees_voted_for_than_another_hash_slashes_nobody() {
	run_test(|| {
		let (id, [round_0, first, _]) = three_rounds(RESULT_C);

		assert_eq!(
			job(id).phase,
			Phase::Failed { reason: FailReason::Contested { attested: RESULT_B } }
		);
		assert!(!job_events().iter().any(|e| matches!(e, Event::Slashed { .. })));
		assert_eq!(job(id).assignees.iter().filter(|a| a.declined).count(), 4);
		assert!(job(id).assignees.iter().any(|a| a.provider == round_0[2] && a.declined));
		assert!(job(id).assignees.iter().any(|a| a.provider == first[2] && a.declined));
		for assignee in job(id).assignees.iter() {
			let expected = if assignee.declined { STAKE - DECLINE_FEE } else { STAKE };
			assert_eq!(provider(assignee.provider).stake, expected);
			assert_eq!(assignee.outcome, Some(JobOutcome::Inconclusive));
		}
		assert_eq!(job(id).paid, 7 * REWARD / 2, "seven revealers, each half the reward");
	});
}

/// The same votes with B instead of C in round 0: B then has as many votes as A, and the
/// panel's verdict stands against everyone who revealed another hash.
#[test]
fn a_verdict_as_many_voted_for_as_any_other_hash_judges_every_round() {
	run_test(|| {
		let (id, [round_0, first, last]) = three_rounds(RESULT_B);

		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_B });
		let outcome =
			|who| job(id).assignees.iter().find(|a| a.provider == who).and_then(|a| a.outcome);
		assert_eq!(outcome(round_0[1]), Some(JobOutcome::Agreed));
		for deviant in [round_0[0], first[0], first[1], last[2]] {
			assert_eq!(outcome(deviant), Some(JobOutcome::Deviated));
			assert!(provider(deviant).stake < STAKE);
		}
	});
}

/// NM3: a round that ends without a quorum gives its assignees' slots back at once (they
/// have nothing left to do in the job), so that one late or deviant assignee cannot keep the
/// others' slots through every panel's round. Their stake stays bound until the verdict: a
/// deviant that started leaving when it was drawn, and whose unbonding is over while the
/// panel reveals, cannot withdraw before the panel's verdict slashes it.
#[test]
fn an_escalation_frees_the_ended_rounds_slots_but_not_their_stake() {
	run_test(|| {
		four_more_providers();
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let (honest, deviant, decliner) = (p[0], p[1], p[2]);
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(deviant)));
		let unbonded_at = System::block_number() + UNBONDING_PERIOD;
		play_round(id, &[(honest, Some(RESULT_A)), (deviant, Some(RESULT_C)), (decliner, None)]);
		assert!(job_events().contains(&Event::Escalated { job: id, round: 1, extra: 3 }));
		for who in [honest, deviant] {
			let record = provider(who);
			assert_eq!((record.active_jobs, record.awaiting_verdicts), (0, 1), "provider {who}");
		}

		run_to(System::block_number() + DRAW_DELAY);
		let panel = this_round(id);
		assert!(!panel.contains(&honest) && !panel.contains(&deviant));
		// The panel commits in the last block of its window, so that its reveals are still
		// open once the deviant's unbonding is over.
		let Phase::Committing { until } = job(id).phase else { panic!("the panel commits") };
		run_to(until);
		for who in &panel {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		let Phase::Revealing { until } = job(id).phase else { panic!("the panel reveals") };
		assert!(until >= unbonded_at, "the test's windows are too short for it");
		run_to(unbonded_at);
		assert_noop!(
			Providers::withdraw(RuntimeOrigin::signed(deviant)),
			pallet_providers::Error::<Test>::JobsInProgress
		);
		for who in &panel {
			assert_ok!(reveal(*who, id, RESULT_A));
		}

		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(provider(deviant).stake, STAKE - STAKE / 10, "slashed for its wrong result");
		let outcome =
			|who| job(id).assignees.iter().find(|a| a.provider == who).and_then(|a| a.outcome);
		assert_eq!(outcome(honest), Some(JobOutcome::Agreed));
		for who in [honest, deviant] {
			let record = provider(who);
			assert_eq!((record.active_jobs, record.awaiting_verdicts), (0, 0), "provider {who}");
		}
		assert_ok!(Providers::withdraw(RuntimeOrigin::signed(deviant)));
	});
}

/// The invariants see a provider's slot counts out of step with the open jobs, after an
/// escalation as before it: a held slot that outlived its job would keep the provider from
/// every draw for good, a verdict awaited that never comes would keep its stake from
/// `withdraw` for good.
#[test]
fn slot_counts_out_of_step_with_the_open_jobs_fail_the_invariants() {
	run_test(|| {
		four_more_providers();
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let drift = |who: AccountId, held: i32, awaiting: i32| {
			pallet_providers::Providers::<Test>::mutate(who, |info| {
				let info = info.as_mut().expect("registered");
				info.active_jobs = info.active_jobs.saturating_add_signed(held);
				info.awaiting_verdicts = info.awaiting_verdicts.saturating_add_signed(awaiting);
			});
		};
		let checks = || crate::Pallet::<Test>::do_try_state();
		assert_ok!(checks());
		for (held, awaiting) in [(1, 0), (-1, 0), (0, 1)] {
			drift(p[0], held, awaiting);
			assert!(checks().is_err(), "a drift of ({held}, {awaiting}) went unseen");
			drift(p[0], -held, -awaiting);
			assert_ok!(checks());
		}

		play_round(id, &[(p[0], Some(RESULT_A)), (p[1], Some(RESULT_C)), (p[2], None)]);
		assert_eq!(job(id).round, 1, "escalated");
		assert_ok!(checks());
		// The slot given back at the escalation, counted as held again: the old layout.
		drift(p[0], 1, -1);
		assert!(checks().is_err(), "an earlier round's assignee holding a slot went unseen");
		drift(p[0], -1, 1);
		assert_ok!(checks());
	});
}

/// A panel's rewards are held at submission for its full size: a unanimous job of four holds
/// four more rewards per escalation, and the quote says so.
#[test]
fn the_escrow_holds_every_panel_at_its_full_size() {
	run_test(|| {
		let quote = Jobs::quote(KernelId::SortU32, sort_params(), 4, 4).expect("a valid shape");
		assert_eq!(quote.escalation_replicas, MAX_ESCALATIONS * 4);
		let before = free(ALICE);
		let id = submit(ALICE, 4, 4, REWARD);
		let held = (4 + MAX_ESCALATIONS * 4) as Balance * REWARD
			+ JOB_DEPOSIT
			+ 16 * BYTE_DEPOSIT
			+ Jobs::retry_budget();
		assert_eq!(job(id).escrow, held);
		assert_eq!(before - free(ALICE), held);
	});
}

/// A job submitted before the upgrade keeps the panel of version 2 (three seats, two
/// deciding), the one its escrow was held for; open and ended records both decode after it.
#[test]
fn version_2_job_records_migrate_with_the_panel_their_escrow_was_held_for() {
	use crate::migrations::v3::{MigrateV2ToV3, OldJobInfo, OldJobSpec};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	run_test(|| {
		// Under today's rule a job of one replica is judged by three seats that must agree.
		let (open, _) = submit_assigned(ALICE, 1, 1, REWARD);
		assert_eq!(job(open).spec.panel, Panel { seats: 3, quorum: 3 });
		assert_eq!(job(open).assignees.len(), 1);
		let ended = submit(ALICE, 3, 2, REWARD);
		assert_ok!(Jobs::cancel(RuntimeOrigin::signed(ALICE), ended));
		for id in [open, ended] {
			let new = job(id);
			let old = OldJobInfo::<Test> {
				requester: new.requester,
				spec: OldJobSpec {
					kernel: new.spec.kernel,
					params: new.spec.params,
					input: new.spec.input,
					work_units: new.spec.work_units,
					replicas: new.spec.replicas,
					quorum: new.spec.quorum,
					reward: new.spec.reward,
					commit_window: new.spec.commit_window,
					reveal_window: new.spec.reveal_window,
				},
				phase: new.phase,
				round: new.round,
				assignees: new.assignees,
				escrow: new.escrow,
				deposit: new.deposit,
				paid: new.paid,
				unassigned: new.unassigned,
				submitted_at: new.submitted_at,
				ended_at: new.ended_at,
			};
			let key = crate::pallet::Jobs::<Test>::hashed_key_for(id);
			frame_support::storage::unhashed::put_raw(&key, &old.encode());
		}
		StorageVersion::new(2).put::<Jobs>();

		MigrateV2ToV3::<Test>::on_runtime_upgrade();

		assert_eq!(Jobs::on_chain_storage_version(), 3);
		for id in [open, ended] {
			assert_eq!(job(id).spec.panel, Panel { seats: 3, quorum: 2 }, "job {id}");
		}
		assert_eq!(job(ended).phase, Phase::Cancelled);
		assert!(matches!(job(open).phase, Phase::Committing { .. }));
		assert_eq!(job(open).assignees.len(), 1, "its assignee kept");
		// Run again, it finds version 3 and leaves the records as they are.
		let migrated = job(open);
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(job(open), migrated);
	});
}

/// A job that escalated before the upgrade still holds its first round's slots: the step to
/// version 5 gives them back, so that the verdict, which settles those assignees as holders of
/// freed slots, leaves every count right (`run_test` checks them against the open jobs).
#[test]
fn version_4_escalated_jobs_give_their_earlier_rounds_slots_back() {
	use crate::migrations::v5::MigrateV4ToV5;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	run_test(|| {
		four_more_providers();
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		play_round(id, &[(p[0], Some(RESULT_A)), (p[1], Some(RESULT_C)), (p[2], None)]);
		assert_eq!(job(id).round, 1);
		// As version 4 left them: the slots still held, no verdict awaited.
		for who in [p[0], p[1]] {
			pallet_providers::Providers::<Test>::mutate(who, |record| {
				let record = record.as_mut().expect("registered");
				record.active_jobs += 1;
				record.awaiting_verdicts -= 1;
			});
		}
		StorageVersion::new(4).put::<Jobs>();

		MigrateV4ToV5::<Test>::on_runtime_upgrade();
		MigrateV4ToV5::<Test>::on_runtime_upgrade();

		assert_eq!(Jobs::on_chain_storage_version(), 5);
		for who in [p[0], p[1]] {
			let record = provider(who);
			assert_eq!((record.active_jobs, record.awaiting_verdicts), (0, 1), "provider {who}");
		}
		run_to(System::block_number() + DRAW_DELAY);
		let panel = this_round(id);
		play_round(
			id,
			&[(panel[0], Some(RESULT_A)), (panel[1], Some(RESULT_A)), (panel[2], Some(RESULT_A))],
		);
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
	});
}
