//! The property test with a real coalition (issue 23, slice 3): half the providers (12 of 24)
//! are one party's Sybils, and the requester `ALICE` colludes with them. For every job it lands in,
//! the coalition follows one plan: forge a result, block each round it can by declining (its
//! seats and any replacement it is drawn into) and forge in the last, commit a forgery and withhold it, stay idle, or compute honestly. Jobs
//! ask any quorum from a majority to all replicas, and may escalate twice. The other providers
//! are honest and do what they owe before time passes.
//!
//! After every step: every invariant holds, a refused call changes no state, the issuance
//! falls only by what was burnt, an honest provider has lost stake only in a job whose forged
//! result stood, and a forged result stood only where the coalition held at least the first
//! round's quorum share of a round with at least the first round's seats (a panel as strong
//! as the round it judges). The test counts how many jobs ended on each path and fails if
//! one was never reached.

use crate::{mock::*, types::*, Jobs as JobsMap, NextJobId};
use concord_primitives::market::verdict;
use proptest::{
	prelude::*,
	test_runner::{Config as ProptestConfig, RngSeed, TestRunner},
};
use sp_core::H256;
use std::{
	cell::RefCell,
	collections::{BTreeMap, BTreeSet},
};

/// The coalition's Sybils: half the genesis providers, and six more registered like them.
const COALITION: [AccountId; 12] = [
	PROVIDERS[0],
	PROVIDERS[1],
	PROVIDERS[2],
	PROVIDERS[3],
	PROVIDERS[4],
	PROVIDERS[5],
	50,
	51,
	52,
	53,
	54,
	55,
];

/// Six honest providers registered besides the genesis ones, with one slot each: with declined
/// seats drawn again a job takes more providers, and twelve leave most panels without a pool;
/// the single slots still let the market run full, so that some jobs are never assigned.
const MORE_HONEST: [AccountId; 6] = [60, 61, 62, 63, 64, 65];

/// Every provider of a case.
fn everyone() -> impl Iterator<Item = AccountId> {
	PROVIDERS.into_iter().chain(COALITION[6..].iter().copied()).chain(MORE_HONEST)
}

/// The providers that owe job `id` a commit or a reveal now.
fn owing(id: JobId) -> Vec<AccountId> {
	everyone().filter(|p| crate::Pallet::<Test>::duties(*p).iter().any(|d| d.job == id)).collect()
}

/// The result honest providers compute, and the coalition's forgery.
const TRUE: H256 = RESULT_A;
const FORGED: H256 = RESULT_B;

/// What the coalition does in a job it lands in.
#[derive(Clone, Copy, Debug)]
enum Plan {
	/// Commits and reveals the forgery in every round.
	Forge,
	/// Declines every seat while an escalation is left, then forges in the last round: the
	/// attack of a weaker panel (NH1).
	Block,
	/// Commits the forgery and never reveals it.
	Withhold,
	/// Never acts.
	Idle,
	/// Computes honestly.
	Honest,
}

#[derive(Clone, Debug)]
enum Op {
	Submit {
		colluding: bool,
		replicas: u32,
		extra_quorum: u32,
		plan: Plan,
	},
	Cancel {
		job: u64,
	},
	/// One assignee that owes an open job something does its part.
	Act {
		pick: usize,
		assignee: usize,
	},
	Advance {
		blocks: u64,
	},
}

fn op() -> impl Strategy<Value = Op> {
	let plan = prop_oneof![
		3 => Just(Plan::Forge),
		4 => Just(Plan::Block),
		1 => Just(Plan::Withhold),
		1 => Just(Plan::Idle),
		1 => Just(Plan::Honest),
	];
	prop_oneof![
		3 => (any::<bool>(), 1u32..=4, 0u32..4, plan).prop_map(
			|(colluding, replicas, extra_quorum, plan)| Op::Submit {
				colluding,
				replicas,
				extra_quorum,
				plan
			}
		),
		1 => (0u64..8).prop_map(|job| Op::Cancel { job }),
		6 => (0usize..8, 0usize..6).prop_map(|(pick, assignee)| Op::Act { pick, assignee }),
		4 => (1u64..5).prop_map(|blocks| Op::Advance { blocks }),
	]
}

/// What one case remembers: each job's plan, what each assignee committed to, the jobs seen
/// ended (before `Retention` prunes them), and every provider a forged result judged.
#[derive(Default)]
struct Case {
	plans: BTreeMap<JobId, Plan>,
	committed: BTreeMap<(JobId, AccountId), H256>,
	ended: BTreeSet<JobId>,
	judged_by_forgeries: BTreeSet<AccountId>,
}

impl Case {
	fn apply(&mut self, op: &Op) -> sp_runtime::DispatchResult {
		match *op {
			Op::Submit { colluding, replicas, extra_quorum, plan } => {
				let who = if colluding { ALICE } else { BOB };
				let majority = verdict::majority(replicas);
				let quorum = (majority + extra_quorum).min(replicas);
				let id = NextJobId::<Test>::get();
				Jobs::submit(
					RuntimeOrigin::signed(who),
					concord_primitives::kernel::KernelId::SortU32,
					sort_params(),
					sort_input(),
					replicas,
					quorum,
					100,
					3,
					3,
				)?;
				self.plans.insert(id, plan);
				Ok(())
			}
			Op::Cancel { job } => Jobs::cancel(RuntimeOrigin::signed(ALICE), job),
			Op::Act { pick, assignee } => {
				let Some(id) = owed_job(pick) else { return Ok(()) };
				let owing = owing(id);
				self.act(id, owing[assignee % owing.len()])
			}
			Op::Advance { blocks } => {
				for _ in 0..blocks {
					for id in crate::Pallet::<Test>::open_jobs() {
						for who in owing(id) {
							self.act(id, who).expect("an owed act succeeds");
						}
					}
					next_block();
				}
				Ok(())
			}
		}
	}

	/// `who` does its part for job `id`: honestly, or as the coalition's plan says.
	fn act(&mut self, id: JobId, who: AccountId) -> sp_runtime::DispatchResult {
		let job = JobsMap::<Test>::get(id).expect("acting on an existing job");
		let plan = if COALITION.contains(&who) {
			self.plans.get(&id).copied().unwrap_or(Plan::Honest)
		} else {
			Plan::Honest
		};
		let last_round = u32::from(job.round) >= MaxEscalations::get();
		match (job.phase, plan) {
			(_, Plan::Idle) => Ok(()),
			(Phase::Committing { .. }, Plan::Block) if !last_round => {
				Jobs::decline(RuntimeOrigin::signed(who), id).map(|_| ()).map_err(|e| e.error)
			}
			(Phase::Committing { .. }, _) => {
				let result = if matches!(plan, Plan::Honest) { TRUE } else { FORGED };
				commit(who, id, result)?;
				self.committed.insert((id, who), result);
				Ok(())
			}
			(_, Plan::Withhold) => Ok(()),
			_ => {
				let result = self.committed.get(&(id, who)).copied().unwrap_or(TRUE);
				reveal(who, id, result)
			}
		}
	}
}

/// How many providers were drawn into round `round` of job `id` for declined seats.
fn replaced_in(id: JobId, round: u8) -> u32 {
	job_events()
		.into_iter()
		.map(|event| match event {
			crate::Event::Replaced { job, round: r, providers, .. } if job == id && r == round => {
				providers.len() as u32
			}
			_ => 0,
		})
		.sum()
}

/// The `pick`-th open job (modulo their number) that some assignee owes a commit or reveal.
fn owed_job(pick: usize) -> Option<JobId> {
	let owed: Vec<JobId> = crate::Pallet::<Test>::open_jobs()
		.into_iter()
		.filter(|id| !owing(*id).is_empty())
		.collect();
	(!owed.is_empty()).then(|| owed[pick % owed.len()])
}

impl Case {
	/// Looks at the jobs that ended since the last look: each is counted on its path, and one
	/// whose forged result stood is checked to have been decided in a round with at least the
	/// first round's seats, in which the coalition revealed the forgery in at least the first
	/// round's quorum share; the providers it judged are remembered.
	fn observe(&mut self, paths: &mut Paths) {
		for (id, job) in JobsMap::<Test>::iter() {
			if job.phase.is_open() || !self.ended.insert(id) {
				continue;
			}
			paths.count(id, &job);
			if job.phase != (Phase::Attested { result_hash: FORGED }) {
				continue;
			}
			let deciding: Vec<_> = job.assignees.iter().filter(|a| a.round == job.round).collect();
			// A replacement takes a declined seat: the round has as many seats as it drew.
			let seats = deciding.len() as u32 - replaced_in(id, job.round);
			let forgers = deciding.iter().filter(|a| a.revealed == Some(FORGED)).count() as u32;
			assert!(
				job.assignees
					.iter()
					.all(|a| a.revealed != Some(FORGED) || COALITION.contains(&a.provider)),
				"job {id}: an honest provider revealed the forgery"
			);
			assert!(
				seats >= job.spec.replicas
					&& forgers * job.spec.replicas >= job.spec.quorum * seats,
				"job {id}: a forgery stood with {forgers} of {seats} seats in round {}, weaker \
				 than round 0's {} of {}",
				job.round,
				job.spec.quorum,
				job.spec.replicas,
			);
			self.judged_by_forgeries.extend(job.assignees.iter().map(|a| a.provider));
		}
	}
}

/// How the jobs of every case ended, and what happened on the way.
#[derive(Debug, Default)]
struct Paths(BTreeMap<&'static str, u32>);

impl Paths {
	fn count(&mut self, id: JobId, job: &crate::JobInfoOf<Test>) {
		{
			let escalated = job.round > 0;
			let path = match (&job.phase, escalated) {
				(Phase::Attested { result_hash }, false) if *result_hash == TRUE => "true, round 0",
				(Phase::Attested { result_hash }, true) if *result_hash == TRUE => {
					"true, by a panel"
				}
				(Phase::Attested { .. }, false) => "forged, round 0 captured",
				(Phase::Attested { .. }, true) => "forged, a panel captured",
				(Phase::Failed { reason: FailReason::NoQuorum }, _) => "failed without a quorum",
				(Phase::Failed { reason: FailReason::Contested { .. } }, _) => "contested",
				(Phase::Failed { reason: FailReason::Unassigned(_) }, _) => "never assigned",
				(Phase::Cancelled, _) => "cancelled",
				(phase, _) => panic!("an open job counted as ended: {phase:?}"),
			};
			*self.0.entry(path).or_default() += 1;
			if job.assignees.iter().any(|a| a.declined) {
				*self.0.entry("a seat declined").or_default() += 1;
			}
			if (0..=job.round).any(|round| replaced_in(id, round) > 0) {
				*self.0.entry("a seat drawn again").or_default() += 1;
			}
			if escalated {
				*self.0.entry("escalated").or_default() += 1;
			}
		}
	}
}

const PATHS: [&str; 11] = [
	"true, round 0",
	"true, by a panel",
	"forged, round 0 captured",
	"forged, a panel captured",
	"failed without a quorum",
	"contested",
	"never assigned",
	"cancelled",
	"a seat declined",
	"a seat drawn again",
	"escalated",
];

#[test]
fn a_coalition_forges_only_by_capturing_a_round_as_strong_as_the_first() {
	// A fixed seed, so that every path is reached on every run: contested, the rarest, by 4
	// of about 4,000 jobs with this seed (2 to 7 on the other seeds tried, 1, 2, 3, 5 and 7;
	// never assigned by 9 to 42).
	let mut runner = TestRunner::new(ProptestConfig {
		cases: 600,
		rng_seed: RngSeed::Fixed(23),
		failure_persistence: None,
		..ProptestConfig::default()
	});
	let paths = RefCell::new(Paths::default());
	let outcome = runner.run(&prop::collection::vec(op(), 1..40), |ops| {
		new_test_ext().execute_with(|| {
			MaxEscalations::set(&2);
			for who in COALITION[6..].iter().chain(&MORE_HONEST) {
				register_sybil(*who, PRICE, STAKE, 1);
				make_assignable(*who);
			}
			let issuance_before = issuance();
			let mut case = Case::default();
			for op in &ops {
				let root_before = sp_io::storage::root(sp_runtime::StateVersion::V1);
				if case.apply(op).is_err() {
					let root_after = sp_io::storage::root(sp_runtime::StateVersion::V1);
					assert_eq!(root_before, root_after, "refused {op:?} changed state");
				}
				check_invariants();
				assert_eq!(issuance() + burnt(), issuance_before, "issuance moved after {op:?}");
				case.observe(&mut paths.borrow_mut());
				for honest in everyone().filter(|p| !COALITION.contains(p)) {
					assert!(
						provider(honest).stake == STAKE
							|| case.judged_by_forgeries.contains(&honest),
						"honest {honest} lost stake with no forgery captured, after {op:?}"
					);
				}
			}
			// Every deadline runs out, looked at more often than `Retention` prunes.
			for _ in 0..8 {
				case.apply(&Op::Advance { blocks: 10 }).expect("advancing never fails");
				check_invariants();
				case.observe(&mut paths.borrow_mut());
			}
			assert!(crate::Pallet::<Test>::open_jobs().is_empty(), "every job ended");
		});
		Ok(())
	});
	let paths = paths.into_inner();
	println!("jobs by path over 600 cases: {:#?}", paths.0);
	outcome.expect("the coalition never broke a rule");
	for path in PATHS {
		assert!(paths.0.get(path).copied().unwrap_or(0) > 0, "no job reached {path}: {paths:?}");
	}
}
