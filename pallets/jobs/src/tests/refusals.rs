//! Every refusal returns its named error and changes nothing.

use crate::{mock::*, types::*, Error};
use concord_primitives::kernel::KernelId;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

const REWARD: Balance = 100;

/// `submit` with everything valid except what `change` alters.
fn try_submit(change: impl FnOnce(&mut Args)) -> sp_runtime::DispatchResult {
	let mut args = Args {
		who: ALICE,
		kernel: KernelId::SortU32,
		params: sort_params(),
		input: sort_input(),
		replicas: 3,
		quorum: 2,
		reward: REWARD,
		commit_window: 5,
		reveal_window: 5,
	};
	change(&mut args);
	Jobs::submit(
		RuntimeOrigin::signed(args.who),
		args.kernel,
		args.params,
		args.input,
		args.replicas,
		args.quorum,
		args.reward,
		args.commit_window,
		args.reveal_window,
	)
}

/// An edit of valid arguments that makes them invalid.
type Change = Box<dyn FnOnce(&mut Args)>;

struct Args {
	who: AccountId,
	kernel: KernelId,
	params: Vec<u32>,
	input: InputSpec,
	replicas: u32,
	quorum: u32,
	reward: Balance,
	commit_window: u64,
	reveal_window: u64,
}

#[test]
fn a_bad_submission_gets_its_named_error_and_changes_nothing() {
	run_test(|| {
		let remote = |size: u64, source: &[u8]| InputSpec::Remote {
			hash: H256::repeat_byte(1),
			size,
			source: source.to_vec(),
		};
		let cases: Vec<(Change, Error<Test>)> = vec![
			(Box::new(|a: &mut Args| a.params = vec![1; 64]), Error::TooManyParams),
			(Box::new(|a: &mut Args| a.params = vec![4, 4]), Error::WrongParamCount),
			(Box::new(|a: &mut Args| a.params = vec![0]), Error::ParamOutOfRange),
			(
				Box::new(|a: &mut Args| a.input = InputSpec::Inline(vec![0; 12])),
				Error::InputSizeMismatch,
			),
			(
				Box::new(|a: &mut Args| a.input = InputSpec::Inline(vec![0; 65])),
				Error::InlineInputTooLarge,
			),
			(
				Box::new(move |a: &mut Args| a.input = remote(15, b"/ip4/1.2.3.4")),
				Error::InputSizeMismatch,
			),
			(
				Box::new(move |a: &mut Args| a.input = remote(16, b"/ip4/1.2.3.4")),
				Error::RemoteInputFitsInline,
			),
			(
				Box::new(move |a: &mut Args| {
					a.params = vec![32];
					a.input = remote(129, b"/ip4/1.2.3.4");
				}),
				Error::InputSizeMismatch,
			),
			(
				Box::new(move |a: &mut Args| {
					a.params = vec![32];
					a.input = InputSpec::Remote {
						hash: H256::zero(),
						size: 128,
						source: b"/ip4/1.2.3.4".to_vec(),
					};
				}),
				Error::MissingRoot,
			),
			(
				Box::new(move |a: &mut Args| (a.params, a.input) = (vec![32], remote(128, b""))),
				Error::SourceEmpty,
			),
			(
				Box::new(move |a: &mut Args| {
					(a.params, a.input) = (vec![32], remote(128, &[b'/'; 65]))
				}),
				Error::SourceTooLong,
			),
			(
				Box::new(move |a: &mut Args| {
					(a.params, a.input) = (vec![32], remote(128, b"ip4 1.2.3.4"))
				}),
				Error::InvalidSource,
			),
			(Box::new(|a: &mut Args| a.replicas = 0), Error::ZeroReplicas),
			(Box::new(|a: &mut Args| a.replicas = MAX_REPLICAS + 1), Error::TooManyReplicas),
			(Box::new(|a: &mut Args| a.quorum = 4), Error::QuorumAboveReplicas),
			(Box::new(|a: &mut Args| a.quorum = 1), Error::QuorumTooLow),
			(Box::new(|a: &mut Args| (a.replicas, a.quorum) = (4, 2)), Error::QuorumTooLow),
			(Box::new(|a: &mut Args| a.reward = 0), Error::ZeroReward),
			(Box::new(|a: &mut Args| a.commit_window = 1), Error::WindowTooShort),
			(Box::new(|a: &mut Args| a.reveal_window = 51), Error::WindowTooLong),
			(Box::new(|a: &mut Args| a.reward = Balance::MAX / 2), Error::EscrowOverflow),
			(Box::new(|a: &mut Args| a.reward = FUNDS / 3), Error::InsufficientBalance),
			(Box::new(|a: &mut Args| a.who = POOR), Error::InsufficientBalance),
			(Box::new(|a: &mut Args| a.reward = 1), Error::RewardTooLow),
			(Box::new(|a: &mut Args| a.replicas = 5), Error::QuorumTooLow),
		];
		for (change, error) in cases {
			let before = free(ALICE);
			assert_noop!(try_submit(change), error);
			assert_eq!(free(ALICE), before);
		}
		// A poor requester cannot afford one replica and the panel an escalation would need.
		assert_noop!(
			try_submit(|a| (a.who, a.replicas, a.quorum) = (POOR, 1, 1)),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn an_mlp_input_breaking_its_contract_is_refused_inline() {
	run_test(|| {
		// mlp-i8, batch 1, one 1x1 layer: weight, bias, shift, sample; all 0xff makes the shift
		// 2^32 - 1, above 31.
		let params = vec![1, 1, 1, 1];
		let len = concord_primitives::kernel::input_len(KernelId::MlpI8, &params).unwrap();
		assert_noop!(
			try_submit(|a| {
				a.kernel = KernelId::MlpI8;
				a.params = params;
				a.input = InputSpec::Inline(vec![0xff; len as usize]);
			}),
			Error::<Test>::InvalidInput
		);
	});
}

#[test]
fn too_many_open_jobs_are_refused() {
	run_test(|| {
		for requester in (0..MAX_OPEN_JOBS).map(|i| if i % 2 == 0 { BOB } else { PROVIDERS[0] }) {
			submit(requester, 1, 1, REWARD);
		}
		assert_noop!(try_submit(|_| {}), Error::<Test>::TooManyOpenJobs);
	});
}

#[test]
fn only_assignees_commit_and_reveal() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let outsider = *PROVIDERS.iter().find(|o| !p.contains(o)).unwrap();
		assert_noop!(commit(outsider, id, RESULT_A), Error::<Test>::NotAssignee);
		assert_noop!(commit(ALICE, id, RESULT_A), Error::<Test>::NotAssignee);
		assert_noop!(commit(p[0], 99, RESULT_A), Error::<Test>::UnknownJob);
		for who in &p {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		assert_noop!(reveal(outsider, id, RESULT_A), Error::<Test>::NotAssignee);
	});
}

#[test]
fn a_commit_counts_once() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_noop!(commit(p[0], id, RESULT_B), Error::<Test>::AlreadyCommitted);
		assert_eq!(job(id).assignees[0].commitment, Some(commitment_of(p[0], RESULT_A)));
	});
}

#[test]
fn commits_close_with_their_window() {
	run_test(|| {
		let id = submit(ALICE, 3, 2, REWARD);
		assert_noop!(commit(PROVIDERS[0], id, RESULT_A), Error::<Test>::NotAssignee);
		run_to(1 + DRAW_DELAY);
		let p = assignees(id);
		assert_ok!(commit(p[0], id, RESULT_A));
		run_to(9);
		assert_noop!(commit(p[1], id, RESULT_A), Error::<Test>::CommitWindowClosed);
	});
}

#[test]
fn reveals_wait_for_every_commit_or_the_window() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(commit(p[1], id, RESULT_A));
		assert_noop!(reveal(p[0], id, RESULT_A), Error::<Test>::RevealTooEarly);
		assert_noop!(reveal(p[2], id, RESULT_A), Error::<Test>::RevealTooEarly);
		run_to(9);
		assert_noop!(reveal(p[2], id, RESULT_A), Error::<Test>::NotCommitted);
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_noop!(reveal(p[0], id, RESULT_A), Error::<Test>::AlreadyRevealed);
		run_to(15);
		// The window (9..=14) closed with one reveal: no quorum, so the job escalated, and
		// round 0 can no longer reveal.
		assert!(matches!(job(id).phase, Phase::Queued { .. }));
		assert_eq!(job(id).round, 1);
		assert_noop!(reveal(p[1], id, RESULT_A), Error::<Test>::RevealWindowClosed);
	});
}

#[test]
fn a_wrong_salt_or_hash_does_not_match_the_commitment() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		for who in &p {
			assert_ok!(commit(*who, id, RESULT_A));
		}
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(p[0]), id, RESULT_A, [0xee; 32]),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(reveal(p[0], id, RESULT_B), Error::<Test>::CommitmentMismatch);
		assert_ok!(reveal(p[0], id, RESULT_A));
	});
}

#[test]
fn a_copied_commitment_never_verifies_for_the_copier() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 2, 2, REWARD);
		// p[1] copies p[0]'s commitment instead of computing anything.
		assert_ok!(commit(p[0], id, RESULT_A));
		assert_ok!(Jobs::commit(RuntimeOrigin::signed(p[1]), id, commitment_of(p[0], RESULT_A)));
		// Even knowing p[0]'s result and salt, p[1] cannot open p[0]'s commitment as its own.
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(p[1]), id, RESULT_A, salt(p[0])),
			Error::<Test>::CommitmentMismatch
		);
	});
}
