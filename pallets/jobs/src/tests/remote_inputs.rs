//! Jobs whose input is remote: named by its BLAKE3 root and size, served by the requester.
//! The chain cannot tell a provider that could not fetch the input from one that would not,
//! so such a decline is free, never replaced, and enough of them fail the job: a requester
//! that serves its input only to its own Sybils neither burns honest stake nor wins seats. A
//! job that fails for its input pays the requester's input deposit to the assignees that
//! reported it unavailable; a report that does not fail the job earns nothing.

use crate::{mock::*, types::*, Error, Event, InputDeposits, JobInputs};
use concord_primitives::{kernel::KernelId, market::window};
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

/// Above what the pool asks for 32 values (160 work units at 2 each).
const REWARD: Balance = 1_000;
/// sort-u32 of 32 values: 128 bytes of input, more than the mock's `MaxInlineInput` of 64.
const VALUES: u32 = 32;
const INPUT_BYTES: u64 = 4 * VALUES as u64;
const ROOT: H256 = H256::repeat_byte(0x3b);

fn remote_input() -> InputSpec {
	InputSpec::Remote {
		hash: ROOT,
		size: INPUT_BYTES,
		source: b"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWRequester".to_vec(),
	}
}

fn submit_remote(
	replicas: u32,
	quorum: u32,
	commit_window: u64,
) -> Result<JobId, sp_runtime::DispatchError> {
	let id = crate::NextJobId::<Test>::get();
	Jobs::submit(
		RuntimeOrigin::signed(ALICE),
		KernelId::SortU32,
		vec![VALUES],
		remote_input(),
		replicas,
		quorum,
		REWARD,
		commit_window,
		5,
	)?;
	Ok(id)
}

/// Submits a remote job of `replicas` and `quorum` with a commit window of 20 blocks and moves
/// to its draw.
fn remote_assigned(replicas: u32, quorum: u32) -> (JobId, Vec<AccountId>) {
	let id = submit_remote(replicas, quorum, 20).expect("a valid remote job is accepted");
	run_to(System::block_number() + DRAW_DELAY);
	(id, assignees(id))
}

#[test]
fn a_remote_input_is_accepted_with_the_deposit_and_window_the_quote_names() {
	run_test(|| {
		let quote = crate::Pallet::<Test>::quote(KernelId::SortU32, vec![VALUES], 3, 2).unwrap();
		assert_eq!(quote.inline_deposit, None, "128 bytes do not fit inline");
		// MinWindow, a block of work, and a block for the transfer.
		assert_eq!(window::transfer_blocks(INPUT_BYTES, 6_000), 1);
		assert_eq!((quote.min_commit_window, quote.max_commit_window), (4, 40));
		assert_eq!(submit_remote(3, 2, 3), Err(Error::<Test>::WindowTooShort.into()));
		assert_eq!(submit_remote(3, 2, 41), Err(Error::<Test>::WindowTooLong.into()));

		let before = free(ALICE);
		let id = submit_remote(3, 2, 4).expect("the quote's window is enough");
		let held =
			(3 + MAX_ESCALATIONS * ESCALATION_REPLICAS) as Balance * REWARD + quote.remote_deposit;
		assert_eq!(free(ALICE), before - held);
		assert_eq!(job(id).escrow, held);
		assert_eq!(job(id).deposit, quote.remote_deposit, "no byte deposit: nothing is stored");
		let job_deposit = crate::Pallet::<Test>::deposit_for(0, 0).unwrap();
		assert_eq!(quote.remote_deposit, job_deposit + 3 * INPUT_DEPOSIT, "and the input's");
		assert_eq!(InputDeposits::<Test>::get(id), Some(3 * INPUT_DEPOSIT));
		let input = job(id).spec.input;
		assert_eq!((input.hash, input.size, input.is_remote()), (ROOT, INPUT_BYTES, true));
		assert!(!JobInputs::<Test>::contains_key(id));
	});
}

#[test]
fn declining_a_remote_input_is_free_and_its_seat_is_not_drawn_again() {
	run_test(|| {
		let (id, p) = remote_assigned(3, 2);
		let issued = issuance();
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[2]), id));
		assert_eq!(provider(p[2]).stake, STAKE, "no fee");
		assert_eq!(provider(p[2]).reputation, Default::default());
		assert!(job_events().contains(&Event::Declined { job: id, provider: p[2], fee: 0 }));
		run_to(System::block_number() + DRAW_DELAY + 1);
		assert_eq!(assignees(id), p, "no replacement is drawn");
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		assert!(matches!(job(id).phase, Phase::Revealing { .. }), "nobody left to wait for");
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_A));
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(issuance(), issued, "nothing was burnt");
	});
}

/// The requester's input is served to nobody but its one Sybil, which commits early. The
/// honest assignees decline for free, and once they leave the Sybil alone below the quorum the
/// job fails at once: every honest stake is exactly as before, nothing is burnt, the two
/// honest reporters are paid a seat's input deposit each (35 of the 3 seats' 105; the third
/// seat's goes back), and the Sybil gets nothing.
#[test]
fn a_requester_whose_input_nobody_can_fetch_leaves_every_honest_stake_unchanged() {
	run_test(|| {
		let requester_before = free(ALICE);
		let issued = issuance();
		let (id, p) = remote_assigned(3, 2);
		let (sybil, honest) = (p[0], [p[1], p[2]]);
		let honest_before = honest.map(free);
		let sybil_before = free(sybil);
		assert_ok!(commit(sybil, id, RESULT_B));
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(honest[0]), id));
		assert!(job(id).phase.is_open(), "the Sybil and one honest seat could still agree");
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(honest[1]), id));
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::InputUnavailable });
		assert!(
			job_events().contains(&Event::Failed { job: id, reason: FailReason::InputUnavailable })
		);
		// The Sybil never gets to reveal, so never earns a failed job's share for it.
		assert_noop!(reveal(sybil, id, RESULT_B), Error::<Test>::JobEnded);
		for who in honest {
			assert_eq!(provider(who).stake, STAKE);
			assert_eq!(provider(who).reputation, Default::default());
			assert_eq!(provider(who).active_jobs, 0);
		}
		assert_eq!(provider(sybil).active_jobs, 0, "the Sybil's slot is free");
		assert_eq!(issuance(), issued, "nothing was burnt");
		let share = INPUT_DEPOSIT;
		assert_eq!(honest.map(free), honest_before.map(|b| b + share), "each reporter's share");
		assert_eq!(free(sybil), sybil_before, "the Sybil committed: it reported nothing");
		assert_eq!(free(ALICE), requester_before - 2 * share, "the rest came back");
		for who in honest {
			let shared = Event::InputDepositShared { job: id, provider: who, amount: share };
			assert!(job_events().contains(&shared));
		}
		assert!(!job_events().iter().any(|e| matches!(e, Event::Paid { .. })));
		assert_eq!(InputDeposits::<Test>::get(id), None);
	});
}

/// With an inline input, a decliner's seat is drawn again, so a requester that could make
/// honest assignees decline would re-roll their seats until its Sybils held them. A remote
/// input's declines draw nobody: of a 5-seat job whose two Sybils are served and three honest
/// seats are starved, the Sybils never hold more than their two seats, never a quorum, and the
/// job fails with no verdict.
#[test]
fn a_requester_serving_only_its_sybils_gets_them_no_extra_seats() {
	run_test(|| {
		let requester_before = free(ALICE);
		let (id, p) = remote_assigned(5, 3);
		let (sybils, honest) = ([p[0], p[1]], [p[2], p[3], p[4]]);
		let honest_before = honest.map(free);
		let sybils_before = sybils.map(free);
		for sybil in sybils {
			assert_ok!(commit(sybil, id, RESULT_B));
		}
		for (declined, who) in honest.into_iter().enumerate() {
			assert_ok!(Jobs::decline(RuntimeOrigin::signed(who), id));
			run_to(System::block_number() + DRAW_DELAY + 1);
			assert_eq!(assignees(id), p, "no seat was drawn again");
			if declined < 2 {
				assert!(job(id).phase.is_open());
			}
		}
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::InputUnavailable });
		assert!(!job_events().iter().any(|e| matches!(
			e,
			Event::Attested { .. } | Event::Paid { .. } | Event::Slashed { .. }
		)));
		for who in honest {
			assert_eq!(provider(who).stake, STAKE);
		}
		// 5 seats of 35 held, a seat's each to the 3 reporters, two seats' back.
		let share = INPUT_DEPOSIT;
		assert_eq!(honest.map(free), honest_before.map(|b| b + share));
		assert_eq!(sybils.map(free), sybils_before, "the Sybils get none of it");
		assert_eq!(free(ALICE), requester_before - 3 * share);
	});
}

/// A requester that never serves its input: the first two of three assignees report it, which
/// leaves the quorum of two out of reach, and each is paid a seat's input deposit; the third,
/// which had not reported yet, is released with nothing. No stake moves.
#[test]
fn a_requester_that_never_serves_pays_its_input_deposit_to_the_reporters() {
	run_test(|| {
		let requester_before = free(ALICE);
		let issued = issuance();
		let (id, p) = remote_assigned(3, 2);
		let before = [p[0], p[1], p[2]].map(free);
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[0]), id));
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[1]), id));
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::InputUnavailable });
		assert_noop!(Jobs::decline(RuntimeOrigin::signed(p[2]), id), Error::<Test>::JobEnded);
		let share = INPUT_DEPOSIT;
		assert_eq!([p[0], p[1], p[2]].map(free), [before[0] + share, before[1] + share, before[2]]);
		assert_eq!(free(ALICE), requester_before - 2 * share);
		for who in &p {
			assert_eq!(provider(*who).stake, STAKE);
			assert_eq!(provider(*who).active_jobs, 0);
		}
		assert_eq!(issuance(), issued, "nothing was burnt");
		assert_eq!(job(id).escrow, 0);
	});
}

/// Where one report alone fails the job (a unanimous quorum, a single replica), it is paid
/// nothing: otherwise any one assignee of such a job would earn a seat's deposit for a free
/// decline, served input or not. The requester gets all of its escrow back.
#[test]
fn a_report_that_alone_fails_a_job_earns_nothing() {
	run_test(|| {
		for (replicas, quorum) in [(2, 2), (1, 1), (3, 3)] {
			let requester_before = free(ALICE);
			let (id, p) = remote_assigned(replicas, quorum);
			let reporter_before = free(p[0]);
			assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[0]), id));
			assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::InputUnavailable });
			assert_eq!(free(p[0]), reporter_before, "{replicas}/{quorum}: paid nothing");
			assert_eq!(provider(p[0]).stake, STAKE);
			assert_eq!(free(ALICE), requester_before, "{replicas}/{quorum}: all of it back");
		}
		assert!(!job_events().iter().any(|e| matches!(e, Event::InputDepositShared { .. })));
	});
}

/// A lone false report (the input was served: the others fetched it, committed and agreed)
/// is ignored: the reporter gets nothing and pays nothing, the job is attested, and the
/// requester gets its input deposit back with the rest, paying only the two rewards.
#[test]
fn a_lone_false_report_is_ignored_and_the_input_deposit_goes_back() {
	run_test(|| {
		let requester_before = free(ALICE);
		let (id, p) = remote_assigned(3, 2);
		let reporter_before = free(p[2]);
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[2]), id));
		assert!(job(id).phase.is_open());
		for who in [p[0], p[1]] {
			assert_ok!(commit(who, id, RESULT_A));
		}
		for who in [p[0], p[1]] {
			assert_ok!(reveal(who, id, RESULT_A));
		}
		assert_eq!(job(id).phase, Phase::Attested { result_hash: RESULT_A });
		assert_eq!(free(p[2]), reporter_before, "nothing for a report that failed nothing");
		assert_eq!(provider(p[2]).stake, STAKE, "and nothing taken");
		assert_eq!(free(ALICE), requester_before - 2 * REWARD, "the deposit came back");
		assert!(!job_events().iter().any(|e| matches!(e, Event::InputDepositShared { .. })));
	});
}

/// A report is a decline, so only an assignee that has not committed may make it, and only
/// within its round's commit window: one out of its window, or after committing, is refused and
/// changes nothing.
#[test]
fn reports_after_committing_or_out_of_the_window_are_refused() {
	run_test(|| {
		let (id, p) = remote_assigned(3, 2);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_noop!(
			Jobs::decline(RuntimeOrigin::signed(p[0]), id),
			Error::<Test>::AlreadyCommitted
		);
		assert_ok!(commit(p[1], id, RESULT_A));
		let Phase::Committing { until } = job(id).phase else { panic!("committing") };
		run_to(until + 1);
		assert!(matches!(job(id).phase, Phase::Revealing { .. }), "{:?}", job(id).phase);
		assert_noop!(
			Jobs::decline(RuntimeOrigin::signed(p[2]), id),
			Error::<Test>::CommitWindowClosed
		);
		assert_eq!(InputDeposits::<Test>::get(id), Some(3 * INPUT_DEPOSIT), "still held");
	});
}

/// A decline that leaves the quorum reachable lets the rest settle the job; an inline job's
/// decline still costs its fee (the remote rule reaches no further).
#[test]
fn an_inline_decline_still_costs_its_fee() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[0]), id));
		assert_eq!(provider(p[0]).stake, STAKE - DECLINE_FEE);
		let (remote, q) = remote_assigned(3, 2);
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(q[0]), remote));
		assert_eq!(provider(q[0]).stake, STAKE, "the remote one is free, in the same block");
	});
}

/// A panel's declines end its round the usual way (a further panel, or `NoQuorum` once none is
/// left), not the job at once: a cartel that spoiled the first round and then starved one
/// panel would otherwise escape every panel after it.
#[test]
fn a_panel_that_declines_a_remote_input_ends_its_round_as_usual() {
	run_test(|| {
		let (id, p) = remote_assigned(3, 2);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_B));
		assert_ok!(Jobs::decline(RuntimeOrigin::signed(p[2]), id));
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_B));
		assert_eq!(job(id).round, 1, "no quorum: a panel judges");
		run_to(System::block_number() + DRAW_DELAY);
		let panel: Vec<AccountId> =
			job(id).assignees.iter().filter(|a| a.round == 1).map(|a| a.provider).collect();
		assert!(panel.len() >= 3, "{panel:?}");
		for who in &panel[1..] {
			assert_ok!(Jobs::decline(RuntimeOrigin::signed(*who), id));
		}
		assert!(job(id).phase.is_open(), "a panel's declines do not fail the job at once");
		assert_ok!(commit(panel[0], id, RESULT_A));
		assert_ok!(reveal(panel[0], id, RESULT_A));
		assert_eq!(job(id).phase, Phase::Failed { reason: FailReason::NoQuorum });
		for who in &panel[1..] {
			assert_eq!(provider(*who).stake, STAKE, "a panel's declines are free too");
		}
	});
}
