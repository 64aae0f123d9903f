//! The property test: random sequences of submissions, cancellations, commits and reveals,
//! block advances and providers leaving, with an adversary among the providers: `SYBIL`
//! commits wrong results, reveals with a bad salt, withholds its reveal, declines, or does
//! nothing; the others are honest and always do what they owe before time passes. After
//! every step every invariant holds, a refused call changes no state at all, the total
//! issuance falls only by what was burnt, and no honest provider has lost any stake.

use crate::{mock::*, types::*, Jobs as JobsMap, NextJobId};
use concord_primitives::market::verdict;
use proptest::{prelude::*, test_runner::Config as ProptestConfig};
use sp_core::H256;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Behaviour {
	Honest,
	Wrong,
	BadSalt,
	Withhold,
	Decline,
}

/// The adversary among the providers; every other provider is honest.
const SYBIL: AccountId = PROVIDERS[0];

#[derive(Clone, Debug)]
enum Op {
	Submit {
		requester: usize,
		replicas: u32,
		reward: Balance,
		/// A job of 32 values whose input is remote (its declines are free and never
		/// replaced), rather than one of 4 values inline.
		remote: bool,
	},
	Cancel {
		job: u64,
	},
	/// One assignee of an open job acts: one that owes a commit or reveal when there is one.
	Act {
		pick: usize,
		assignee: usize,
		behaviour: Behaviour,
	},
	/// Every assignee of an open job that owes a commit or reveal does it honestly.
	Everyone {
		pick: usize,
	},
	Advance {
		blocks: u64,
	},
	Provider {
		index: usize,
		action: u8,
	},
}

fn op() -> impl Strategy<Value = Op> {
	let behaviour = prop_oneof![
		6 => Just(Behaviour::Honest),
		2 => Just(Behaviour::Wrong),
		1 => Just(Behaviour::BadSalt),
		1 => Just(Behaviour::Withhold),
		1 => Just(Behaviour::Decline),
	];
	prop_oneof![
		3 => (
			0usize..3,
			1u32..=4,
			prop::sample::select(vec![10u64, 40, 100, 100, 100]),
			prop::bool::weighted(0.3)
		)
			.prop_map(|(requester, replicas, reward, remote)| Op::Submit {
				requester,
				replicas,
				reward,
				remote
			}),
		1 => (0u64..8).prop_map(|job| Op::Cancel { job }),
		6 => (0usize..8, 0usize..6, behaviour)
			.prop_map(|(pick, assignee, behaviour)| Op::Act { pick, assignee, behaviour }),
		5 => (0usize..8).prop_map(|pick| Op::Everyone { pick }),
		3 => (1u64..5).prop_map(|blocks| Op::Advance { blocks }),
		1 => (0usize..6, 0u8..3).prop_map(|(index, action)| Op::Provider { index, action }),
	]
}

/// What each assignee committed to, so its reveal can open the commitment.
type Committed = BTreeMap<(JobId, AccountId), H256>;

fn apply(op: &Op, committed: &mut Committed) -> sp_runtime::DispatchResult {
	match *op {
		Op::Submit { requester, replicas, reward, remote } => {
			let who = [ALICE, BOB, POOR][requester];
			// A remote input's window holds a block for its transfer.
			let (params, input, commit_window) = if remote {
				let input = InputSpec::Remote {
					hash: H256::repeat_byte(0x3b),
					size: 128,
					source: b"/ip4/127.0.0.1/tcp/4001".to_vec(),
				};
				(vec![32], input, 4)
			} else {
				(sort_params(), sort_input(), 3)
			};
			Jobs::submit(
				RuntimeOrigin::signed(who),
				concord_primitives::kernel::KernelId::SortU32,
				params,
				input,
				replicas,
				verdict::majority(replicas),
				// Its work is 20 times the small one's: so is its reward (some still too low).
				if remote { reward * 20 } else { reward },
				commit_window,
				3,
			)
		}
		Op::Cancel { job } => Jobs::cancel(RuntimeOrigin::signed(ALICE), job),
		Op::Act { pick, assignee, ref behaviour } => {
			let Some(id) = open_job(pick) else { return Ok(()) };
			let job = JobsMap::<Test>::get(id).expect("open jobs exist");
			let owing = owing(id);
			let who = if owing.is_empty() {
				match job.assignees.get(assignee % job.assignees.len().max(1)) {
					Some(a) => a.provider,
					None => return Ok(()),
				}
			} else {
				owing[assignee % owing.len()]
			};
			// Only the Sybil misbehaves.
			let behaviour = if who == SYBIL { behaviour } else { &Behaviour::Honest };
			act(id, who, behaviour, committed)
		}
		Op::Everyone { pick } => {
			let Some(id) = open_job(pick) else { return Ok(()) };
			for who in owing(id) {
				act(id, who, &Behaviour::Honest, committed).expect("an owed, honest act succeeds");
			}
			Ok(())
		}
		Op::Advance { blocks } => {
			// Honest providers do what they owe before time passes; the Sybil may not.
			for _ in 0..blocks {
				for id in crate::Pallet::<Test>::open_jobs() {
					for who in owing(id).into_iter().filter(|who| *who != SYBIL) {
						act(id, who, &Behaviour::Honest, committed)
							.expect("an owed, honest act succeeds");
					}
				}
				next_block();
			}
			Ok(())
		}
		Op::Provider { index, action } => {
			let origin = RuntimeOrigin::signed(PROVIDERS[index]);
			match action {
				0 => Providers::go_offline(origin),
				1 => Providers::go_online(origin),
				_ => Providers::unregister(origin),
			}
		}
	}
}

/// The `pick`-th open job (modulo their number) that some assignee owes a commit or reveal,
/// or else the `pick`-th open job, if any is open.
fn open_job(pick: usize) -> Option<JobId> {
	let open = crate::Pallet::<Test>::open_jobs();
	let owed: Vec<JobId> = open.iter().copied().filter(|id| !owing(*id).is_empty()).collect();
	let from = if owed.is_empty() { open } else { owed };
	(!from.is_empty()).then(|| from[pick % from.len()])
}

/// `who` commits or reveals for job `id`, as `behaviour` says.
fn act(
	id: JobId,
	who: AccountId,
	behaviour: &Behaviour,
	committed: &mut Committed,
) -> sp_runtime::DispatchResult {
	let job = JobsMap::<Test>::get(id).expect("acting on an existing job");
	match (job.phase, behaviour) {
		(Phase::Committing { .. }, Behaviour::Decline) => {
			Jobs::decline(RuntimeOrigin::signed(who), id).map(|_| ()).map_err(|e| e.error)
		}
		(_, Behaviour::Withhold | Behaviour::Decline) => Ok(()),
		(Phase::Committing { .. }, _) => {
			let result = match behaviour {
				Behaviour::Wrong => RESULT_B,
				_ => RESULT_A,
			};
			let done = commit(who, id, result);
			if done.is_ok() {
				committed.insert((id, who), result);
			}
			done
		}
		_ => {
			let result = committed.get(&(id, who)).copied().unwrap_or(RESULT_A);
			match behaviour {
				Behaviour::BadSalt => reveal_with_salt(who, id, result, [0xee; 32]),
				_ => reveal(who, id, result),
			}
		}
	}
}

proptest! {
	#![proptest_config(ProptestConfig {
		cases: 3_000,
		failure_persistence: None,
		..ProptestConfig::default()
	})]

	#[test]
	fn invariants_hold_over_random_sequences(ops in prop::collection::vec(op(), 1..50)) {
		new_test_ext().execute_with(|| {
			let issuance_before = issuance();
			let mut committed = Committed::new();
			for op in &ops {
				let root_before = sp_io::storage::root(sp_runtime::StateVersion::V1);
				if apply(op, &mut committed).is_err() {
					let root_after = sp_io::storage::root(sp_runtime::StateVersion::V1);
					assert_eq!(root_before, root_after, "refused {op:?} changed state");
				}
				check_invariants();
				assert_eq!(issuance() + burnt(), issuance_before, "issuance moved after {op:?}");
				for honest in PROVIDERS.iter().filter(|p| **p != SYBIL) {
					assert_eq!(provider(*honest).stake, STAKE, "honest {honest} lost stake after {op:?}");
				}
			}
			// Run out every deadline, honest providers doing their part: every job ends,
			// every slot is freed, nothing stays held.
			apply(&Op::Advance { blocks: 60 }, &mut committed).expect("advancing never fails");
			check_invariants();
			for id in 0..NextJobId::<Test>::get() {
				if let Some(job) = JobsMap::<Test>::get(id) {
					assert!(!job.phase.is_open(), "job {id} still open: {:?}", job.phase);
				}
			}
			for who in [ALICE, BOB, POOR] {
				assert_eq!(total_balance(who), free(who), "escrow left on hold for {who}");
			}
		});
	}
}
