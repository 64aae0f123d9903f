//! The market played by the parties who gain from breaking it (docs/DESIGN.md, adversary
//! model): a requester with Sybil providers, Sybils priced under everyone, a block author
//! steering the draw, a lazy copier on an escalation panel, a cheater that withholds, one
//! account filling the market, and a penalised provider that re-registers. Each test failed on
//! the rules before this change (../shared/reviews/SECURITY-REVIEW.md, at `9999bdc`).

use crate::{mock::*, types::*, Error, Event};
use concord_primitives::{kernel::KernelId, market::weight::assignment_weight};
use frame_support::{assert_noop, assert_ok};
use pallet_providers::{CapabilitiesInput, GpuBackend, JobOutcome};

const REWARD: Balance = 100;

/// C1: a requester whose own Sybil is the only assignee to reveal used to get every other
/// assignee slashed as a no-show, paid to itself. Now a job without an attested result blames
/// nobody, and the requester only pays its Sybil a share of the reward.
#[test]
fn a_single_colluding_revealer_gets_nobody_slashed_and_earns_the_requester_nothing() {
	run_test(|| {
		let before = free(ALICE);
		let (id, round_zero) = submit_assigned(ALICE, 3, 2, REWARD);
		let sybil = round_zero[0];
		assert_ok!(commit(sybil, id, RESULT_B));
		run_to(9);
		assert_ok!(reveal(sybil, id, RESULT_B));
		// The honest assignees never committed (say the answer was precomputed and they were
		// slow); the panel that follows is honest but misses too.
		run_to(14 + DRAW_DELAY + 6);
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::NoQuorum });
		let honest: Vec<_> = assignees(id).into_iter().filter(|p| *p != sybil).collect();
		assert_eq!(honest.len(), 5);
		for p in &honest {
			assert_eq!(provider(*p).stake, STAKE, "an honest provider kept its stake");
			assert_eq!(provider(*p).reputation.no_shows, 0);
		}
		assert!(!job_events().iter().any(|e| matches!(e, Event::Slashed { .. })));
		assert_eq!(free(ALICE), before - REWARD / 2, "it paid its Sybil, and earned nothing");
	});
}

/// C1: slashes never reach the requester, even when a verdict justifies them.
#[test]
fn slashes_are_burnt_not_paid_to_the_requester() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		run_to(9);
		let alice = free(ALICE);
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_A));
		assert_eq!(provider(p[2]).stake, STAKE - STAKE * 2 / 100, "the no-show is slashed");
		let refund = (3 + MAX_ESCALATIONS * ESCALATION_REPLICAS) as Balance * REWARD
			+ JOB_DEPOSIT
			+ 16 * BYTE_DEPOSIT
			+ Jobs::retry_budget()
			- 2 * REWARD;
		assert_eq!(free(ALICE), alice + refund, "the requester got its refund and no more");
	});
}

/// C1: a commit window shorter than the work lets a requester that precomputed the answer
/// have honest providers miss; it is refused.
#[test]
fn a_commit_window_must_fit_the_work() {
	run_test(|| {
		let mandelbrot = |max_iter: u32, window: u64| {
			Jobs::submit(
				RuntimeOrigin::signed(ALICE),
				KernelId::MandelbrotQ12,
				vec![1024, 1024, max_iter, (-8192i32) as u32, (-6144i32) as u32, 1],
				InputSpec::Inline(vec![]),
				1,
				1,
				REWARD,
				window,
				5,
			)
		};
		// 1024 * 1024 * 2048 work units: 9 blocks at the reference rate (the slowest device's
		// rate on the worst view, shared by four jobs, with a margin), plus MinWindow.
		assert_noop!(mandelbrot(2048, 10), Error::<Test>::WindowTooShort);
		// The window rule passes at 11; then no provider runs the kernel.
		assert_noop!(mandelbrot(2048, 11), Error::<Test>::NoProviderSupportsKernel);
		assert_noop!(mandelbrot(65535, 50), Error::<Test>::TooMuchWork);
		let quote = crate::Pallet::<Test>::quote(
			KernelId::MandelbrotQ12,
			vec![1024, 1024, 2048, 0, 0, 1],
			1,
			1,
		)
		.expect("valid params");
		assert_eq!(quote.min_commit_window, 11);
	});
}

/// NM3: a requester with a Sybil among the assignees used to ask for the longest windows (600
/// blocks each on the runtime) so that its Sybil, committing in the commit window's last block
/// and revealing in the reveal window's, held every honest assignee's slot for an hour. A
/// commit window now lasts at most ten times what the work needs (and `MaxWindow`), a reveal
/// window at most `MaxRevealWindow`; the quote says how long a commit window may be.
#[test]
fn windows_longer_than_the_work_needs_are_refused() {
	run_test(|| {
		let sort = |commit: u64, reveal: u64| {
			try_submit_with_windows(ALICE, 3, 2, REWARD, (commit, reveal)).map(|_| ())
		};
		let quote = crate::Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 3, 2).unwrap();
		assert_eq!((quote.min_commit_window, quote.max_commit_window), (3, 30));
		assert_noop!(sort(31, 5), Error::<Test>::WindowTooLong);
		assert_noop!(sort(30, 21), Error::<Test>::WindowTooLong);
		assert_ok!(sort(30, 20));
		// Ten times a mandelbrot job's 11 blocks is more than `MaxWindow` allows.
		let big = vec![1024, 1024, 2048, 0, 0, 1];
		let quote = crate::Pallet::<Test>::quote(KernelId::MandelbrotQ12, big, 1, 1).unwrap();
		assert_eq!((quote.min_commit_window, quote.max_commit_window), (11, 50));
	});
}

/// M1: a provider that cannot do a job steps out for a small fixed fee and no mark on its
/// record, and its seat is drawn again (see `replacements.rs`).
#[test]
fn a_provider_declines_for_a_fixed_fee_and_the_rest_settle_the_job() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[2]), id));
		assert_eq!(provider(p[2]).stake, STAKE - DECLINE_FEE);
		assert_eq!(provider(p[2]).active_jobs, 0, "its slot is free at once");
		assert_noop!(
			Jobs::decline(RuntimeOrigin::signed(p[2]), id),
			Error::<Test>::AlreadyDeclined
		);
		assert_noop!(commit(p[2], id, RESULT_A), Error::<Test>::AlreadyDeclined);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_noop!(
			Jobs::decline(RuntimeOrigin::signed(p[0]), id),
			Error::<Test>::AlreadyCommitted
		);
		assert_ok!(commit(p[1], id, RESULT_A));
		run_to(System::block_number() + DRAW_DELAY);
		let replacement = *assignees(id).last().expect("its seat drawn again");
		assert!(!p.contains(&replacement));
		assert_ok!(commit(replacement, id, RESULT_A));
		assert!(matches!(job(id).phase, Phase::Revealing { .. }), "nobody left to wait for");
		for who in [p[0], p[1], replacement] {
			assert_ok!(reveal(who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(provider(p[2]).reputation, Default::default(), "no mark on its record");
		assert_eq!(job(id).assignees[2].outcome, Some(JobOutcome::Inconclusive));
		assert!(job_events().contains(&Event::Declined {
			job: id,
			provider: p[2],
			fee: DECLINE_FEE
		}));
	});
}

/// C2: two Sybils priced one unit under everyone, with unlimited slots. A job priced at the
/// third-cheapest cost used to have exactly three eligible providers, so the Sybils held two of
/// the three seats of every such job; now that reward is refused, and at the quote's reward
/// the draw chooses among the pool.
#[test]
fn sybils_priced_under_everyone_do_not_capture_default_jobs() {
	run_test(|| {
		let sybils = [30, 31];
		for sybil in sybils {
			register_sybil(sybil, PRICE - 1, STAKE, u32::MAX);
			make_assignable(sybil);
		}
		let third_cheapest = PRICE * SORT_WORK_UNITS;
		assert_noop!(
			Jobs::submit(
				RuntimeOrigin::signed(ALICE),
				KernelId::SortU32,
				sort_params(),
				sort_input(),
				3,
				2,
				third_cheapest - 1,
				5,
				5
			),
			Error::<Test>::RewardTooLow
		);
		let quote = crate::Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 3, 2).unwrap();
		assert_eq!(quote.pool_needed, 6);
		assert!(quote.pool >= 6);
		let reward = quote.min_reward.unwrap();
		// Sixteen jobs at the quote: the Sybils hold a quorum of some, never of most.
		let mut captured = 0;
		for round in 0..16u64 {
			let requester = if round % 2 == 0 { ALICE } else { BOB };
			let id = crate::NextJobId::<Test>::get();
			assert_ok!(Jobs::submit(
				RuntimeOrigin::signed(requester),
				KernelId::SortU32,
				sort_params(),
				sort_input(),
				3,
				2,
				reward,
				5,
				5
			));
			run_to(System::block_number() + DRAW_DELAY);
			let held = assignees(id).iter().filter(|p| sybils.contains(p)).count();
			if held >= 2 {
				captured += 1;
			}
			finish(id);
		}
		// Equal weights in a pool of 14: a quorum for them has odds 12/364 a job.
		assert!(captured <= 4, "Sybils held a quorum of {captured} of 16 jobs");
	});
}

/// H1: a block author that knows the draw's randomness tries to steer it by bonding a
/// Sybil's stake, or by taking Sybils offline, in the blocks between submission and the
/// draw. Neither reaches the draw: the assignees are the same whatever it did.
#[test]
fn changes_between_submission_and_draw_do_not_move_the_draw() {
	let draw = |meddle: &dyn Fn()| {
		let mut assigned = Vec::new();
		new_test_ext().execute_with(|| {
			let id = submit(ALICE, 3, 2, REWARD);
			next_block();
			meddle();
			run_to(1 + DRAW_DELAY);
			assigned = assignees(id);
		});
		assigned
	};
	let untouched = draw(&|| {});
	assert_eq!(untouched.len(), 3);
	for amount in [1, 7, 1_000, 99_999] {
		let steered = draw(&|| {
			assert_ok!(Providers::bond_extra(RuntimeOrigin::signed(PROVIDERS[0]), amount));
		});
		assert_eq!(steered, untouched, "bonding {amount} moved the draw");
	}
	for quitters in [&PROVIDERS[..1], &PROVIDERS[..3], &PROVIDERS[5..]] {
		let steered = draw(&|| {
			for who in quitters {
				assert_ok!(Providers::go_offline(RuntimeOrigin::signed(*who)));
			}
		});
		assert_eq!(steered, untouched, "taking {quitters:?} offline moved the draw");
	}
}

/// H1: the seed mixes VRF outputs of blocks after the submission, which nobody could know
/// when the job was fixed: different later randomness gives different draws.
#[test]
fn the_draw_depends_on_randomness_after_the_submission() {
	let draw = |salt: u8| {
		let mut assigned = Vec::new();
		new_test_ext().execute_with(|| {
			let id = submit(ALICE, 3, 2, REWARD);
			RandomnessSalt::set(&salt);
			run_to(1 + DRAW_DELAY);
			assigned = assignees(id);
		});
		assigned
	};
	let draws: std::collections::BTreeSet<_> = (0..8).map(draw).collect();
	assert!(draws.len() > 1, "eight different futures gave the same draw");
}

/// H2/M4: a round-0 deviant's accomplice drawn onto the escalation panel copies its hash. A
/// copied vote used to join round 0's count, attest the forgery and get the honest revealer
/// slashed; now the panel's own majority decides.
#[test]
fn a_copied_escalation_vote_never_decides() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let (honest, deviant) = (p[0], p[1]);
		assert_ok!(commit(honest, id, RESULT_A));
		assert_ok!(commit(deviant, id, RESULT_B));
		run_to(9);
		assert_ok!(reveal(honest, id, RESULT_A));
		assert_ok!(reveal(deviant, id, RESULT_B));
		run_to(9 + DRAW_DELAY);
		let panel = assignees(id)[3..].to_vec();
		// The copier reveals the forgery; the other panelists never show. Counted with round
		// 0, its vote made two for the forgery: attested, and the honest revealer slashed.
		assert_ok!(commit(panel[0], id, RESULT_B));
		run_to(System::block_number() + 6);
		assert_ok!(reveal(panel[0], id, RESULT_B));
		// One vote of three on the panel: no verdict, so no blame.
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::NoQuorum });
		assert_eq!(provider(honest).stake, STAKE);
		assert_eq!(provider(honest).reputation.deviated, 0);
	});
}

/// H2: with a panel majority for the true result, the round-0 deviant and the copier are
/// both slashed and the honest round-0 revealer is paid.
#[test]
fn a_panel_majority_judges_the_earlier_round() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_B));
		run_to(9);
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_B));
		run_to(9 + DRAW_DELAY);
		let panel = assignees(id)[3..].to_vec();
		for (who, result) in [(panel[0], RESULT_B), (panel[1], RESULT_A), (panel[2], RESULT_A)] {
			assert_ok!(commit(who, id, result));
		}
		for (who, result) in [(panel[0], RESULT_B), (panel[1], RESULT_A), (panel[2], RESULT_A)] {
			assert_ok!(reveal(who, id, result));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		let outcome =
			|who| job(id).assignees.iter().find(|a| a.provider == who).and_then(|a| a.outcome);
		assert_eq!(outcome(p[0]), Some(JobOutcome::Agreed));
		assert_eq!(outcome(p[1]), Some(JobOutcome::Deviated));
		assert_eq!(outcome(panel[0]), Some(JobOutcome::Deviated));
		assert_eq!(outcome(p[2]), Some(JobOutcome::NoShow));
	});
}

/// M3: a requester that asks for a quorum of every replica and then empties its account
/// used to fail the job as `EscalationUnfunded` and pay nobody; now the escalation was paid
/// for at submission and runs.
#[test]
fn a_forced_failure_cannot_escape_paying() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 3, REWARD);
		// Everything else leaves the account.
		let spare = free(ALICE) - 1;
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
			&ALICE,
			&BOB,
			spare,
			frame_support::traits::tokens::Preservation::Preserve
		));
		for who in &p[..2] {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		run_to(9);
		for who in &p[..2] {
			assert_ok!(reveal(*who, id, RESULT_A));
		}
		assert!(job_events().contains(&Event::Escalated { job: id, round: 1, extra: 3 }));
		run_to(9 + DRAW_DELAY);
		let panel = assignees(id)[3..].to_vec();
		for who in &panel {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		for who in &panel {
			assert_ok!(reveal(*who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(job(id).paid, 5 * REWARD, "the round-0 revealers are paid too");
	});
}

/// H3: one account cannot hold the market's open-job slots, each job it keeps open makes
/// the next dearer, and jobs no provider could take are refused instead of queued.
#[test]
fn one_account_cannot_fill_the_market() {
	run_test(|| {
		let mut deposits = Vec::new();
		for _ in 0..MAX_OPEN_JOBS_PER_REQUESTER {
			let id = submit(ALICE, 1, 1, REWARD);
			deposits.push(job(id).deposit);
		}
		let bytes = 16 * BYTE_DEPOSIT;
		let expected: Vec<_> = (1..=MAX_OPEN_JOBS_PER_REQUESTER as Balance)
			.map(|n| n * JOB_DEPOSIT + bytes + Jobs::retry_budget())
			.collect();
		assert_eq!(deposits, expected, "each open job makes the next one's deposit larger");
		assert_noop!(
			Jobs::submit(
				RuntimeOrigin::signed(ALICE),
				KernelId::SortU32,
				sort_params(),
				sort_input(),
				1,
				1,
				REWARD,
				5,
				5
			),
			Error::<Test>::TooManyOpenJobsForRequester
		);
		submit(BOB, 1, 1, REWARD);
		assert_noop!(
			Jobs::submit(
				RuntimeOrigin::signed(BOB),
				KernelId::SortU32,
				sort_params(),
				sort_input(),
				1,
				1,
				1,
				5,
				5
			),
			Error::<Test>::RewardTooLow
		);
	});
}

/// L3: a fresh identity weighs an eighth of its stake, and is not assignable at all until
/// the activation delay is over, so re-registering does not restore a penalised provider to
/// the weight of a good record.
#[test]
fn a_re_registered_provider_starts_with_a_newcomers_weight() {
	run_test(|| {
		let veteran = assignment_weight(STAKE as u128, 63, 0, 0);
		let newcomer = assignment_weight(STAKE as u128, 0, 0, 0);
		assert_eq!(newcomer, STAKE as u128 / 8);
		assert!(veteran > 7 * newcomer);
		let who = 40;
		register_sybil(who, PRICE, STAKE, 2);
		let (candidates, _) =
			<Providers as pallet_providers::ProviderRegistry<_, _, _>>::candidates(
				KernelId::SortU32,
				1,
				System::block_number(),
			);
		assert!(!candidates.iter().any(|c| c.account == who), "not assignable yet");
		run_to(System::block_number() + ACTIVATION_DELAY);
		let (candidates, _) =
			<Providers as pallet_providers::ProviderRegistry<_, _, _>>::candidates(
				KernelId::SortU32,
				1,
				System::block_number(),
			);
		let fresh = candidates.iter().find(|c| c.account == who).expect("assignable now");
		assert_eq!(assignment_weight(fresh.stake as u128, fresh.agreed, 0, 0), newcomer);
	});
}

/// L4: a device that declared less memory than a job needs is never assigned it.
#[test]
fn a_device_too_small_for_the_job_is_not_drawn() {
	run_test(|| {
		let small = 41;
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
			&BOB,
			&small,
			2 * STAKE,
			frame_support::traits::tokens::Preservation::Preserve
		));
		let capabilities = CapabilitiesInput {
			backend: GpuBackend::Cpu,
			device_name: b"tiny".to_vec(),
			memory_mib: 0,
			kernels: vec![KernelId::SortU32],
			max_concurrent_jobs: 100,
		};
		assert_ok!(Providers::register(
			RuntimeOrigin::signed(small),
			STAKE,
			capabilities,
			b"/ip4/127.0.0.1/tcp/1".to_vec(),
			0,
		));
		make_assignable(small);
		for _ in 0..6 {
			let id = submit(ALICE, 5, 3, REWARD);
			run_to(System::block_number() + DRAW_DELAY);
			assert!(!assignees(id).contains(&small));
			finish(id);
		}
	});
}

/// Ends job `id`: every assignee of its round commits and reveals `RESULT_A`.
fn finish(id: JobId) {
	let round = job(id).round;
	let members: Vec<_> =
		job(id).assignees.iter().filter(|a| a.round == round).map(|a| a.provider).collect();
	for who in &members {
		assert_ok!(commit(*who, id, RESULT_A));
	}
	for who in &members {
		assert_ok!(reveal(*who, id, RESULT_A));
	}
	assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
}

/// C6: anyone tipping a little could fill blocks ahead of tip-less commits and reveals until
/// their windows closed, and the assignees would be slashed as no-shows. A duty owed now,
/// sent by the assignee who owes it, outranks any such tip; nothing else gets the boost.
#[test]
fn duties_owed_in_their_window_go_first_and_nothing_else_does() {
	use crate::priority::DUTY_PRIORITY;
	use sp_runtime::transaction_validity::TransactionPriority;
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let outsider = *PROVIDERS.iter().find(|who| !p.contains(who)).unwrap();
		let priority = |who: AccountId, call: crate::Call<Test>| -> TransactionPriority {
			validity(who, call).priority
		};
		let commit_call =
			|who| crate::Call::commit { job: id, commitment: commitment_of(who, RESULT_A) };
		let reveal_call =
			|who| crate::Call::reveal { job: id, result_hash: RESULT_A, salt: salt(who) };

		assert_eq!(priority(p[0], commit_call(p[0])), DUTY_PRIORITY);
		assert_eq!(priority(p[0], crate::Call::decline { job: id }), DUTY_PRIORITY);
		assert_eq!(priority(outsider, commit_call(outsider)), 0, "not an assignee");
		assert_eq!(priority(p[0], reveal_call(p[0])), 0, "no reveal is owed yet");
		assert_eq!(priority(ALICE, crate::Call::cancel { job: id }), 0, "not a duty");

		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		assert_eq!(priority(p[0], commit_call(p[0])), 0, "already committed");
		run_to(9);
		let Phase::Revealing { until } = job(id).phase else { panic!("{:?}", job(id).phase) };
		assert_eq!(priority(p[0], reveal_call(p[0])), DUTY_PRIORITY);
		assert_eq!(priority(p[2], reveal_call(p[2])), 0, "it committed nothing to reveal");
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_eq!(priority(p[0], reveal_call(p[0])), 0, "already revealed");
		run_to(until);
		assert_eq!(priority(p[1], reveal_call(p[1])), DUTY_PRIORITY, "the window's last block");
		run_to(until + 1);
		assert_eq!(priority(p[1], reveal_call(p[1])), 0, "the window has closed");
	});
}

/// How the duty extension sees `who` sending `call` now.
fn validity(
	who: AccountId,
	call: crate::Call<Test>,
) -> sp_runtime::transaction_validity::ValidTransaction {
	use crate::priority::PrioritizeDuties;
	use frame_support::dispatch::GetDispatchInfo;
	use sp_runtime::{traits::DispatchTransaction, transaction_validity::TransactionSource};
	let call = RuntimeCall::Jobs(call);
	let info = call.get_dispatch_info();
	let (valid, ..) = PrioritizeDuties::<Test>::new()
		.validate_only(RuntimeOrigin::signed(who), &call, &info, 0, TransactionSource::External, 0)
		.expect("the extension never refuses");
	valid
}

/// NM1: an assignee used to keep the duty boost for a reveal that fails (a wrong salt or
/// hash) through its whole reveal window, and could send one every block with a small tip,
/// ahead of every honest duty. Only a call that would succeed is boosted now, and each duty
/// provides one tag (its job, its sender, which duty), so the pool holds a single
/// transaction per duty, until the duty's window closes.
#[test]
fn only_a_duty_that_would_succeed_is_boosted_and_the_pool_holds_one_per_duty() {
	use crate::priority::DUTY_PRIORITY;
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let commit_call =
			|who, result| crate::Call::commit { job: id, commitment: commitment_of(who, result) };
		let Phase::Committing { until } = job(id).phase else { panic!("assigned") };
		let now = System::block_number();
		let commit_a = validity(p[0], commit_call(p[0], RESULT_A));
		assert_eq!(commit_a.priority, DUTY_PRIORITY);
		assert_eq!(commit_a.longevity, until - now + 1, "until the commit window closes");
		// A commit to another result and a decline are the same duty: one of them at a time.
		assert_eq!(validity(p[0], commit_call(p[0], RESULT_B)).provides, commit_a.provides);
		assert_eq!(validity(p[0], crate::Call::decline { job: id }).provides, commit_a.provides);
		assert_ne!(validity(p[1], commit_call(p[1], RESULT_A)).provides, commit_a.provides);
		assert_eq!(commit_a.provides.len(), 1);

		for who in &p {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		let reveal_call = |result_hash, salt| crate::Call::reveal { job: id, result_hash, salt };
		let good = validity(p[0], reveal_call(RESULT_A, salt(p[0])));
		assert_eq!(good.priority, DUTY_PRIORITY);
		assert_ne!(good.provides, commit_a.provides, "a reveal is another duty");
		let bad_salt = validity(p[0], reveal_call(RESULT_A, [0xee; 32]));
		assert_eq!((bad_salt.priority, bad_salt.provides.len()), (0, 0), "it would fail");
		let bad_hash = validity(p[0], reveal_call(RESULT_B, salt(p[0])));
		assert_eq!((bad_hash.priority, bad_hash.provides.len()), (0, 0), "it would fail");
		// The failing reveal really fails, and the boosted one really succeeds.
		assert!(reveal_with_salt(p[0], id, RESULT_A, [0xee; 32]).is_err());
		assert_ok!(reveal(p[0], id, RESULT_A));
	});
}
