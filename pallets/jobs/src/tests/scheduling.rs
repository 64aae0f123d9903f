//! The agenda under load, waiting for randomness, and the runtime API's views.

use crate::{mock::*, types::*, Agenda, AgendaBacklog, Pallet};
use concord_primitives::kernel::KernelId;
use frame_support::{assert_ok, weights::Weight};

const REWARD: Balance = 100;

#[test]
fn a_full_agenda_block_spills_into_the_next() {
	run_test(|| {
		let ids: Vec<_> =
			(0..MAX_AGENDA_PER_BLOCK + 1).map(|_| submit(BOB, 1, 1, REWARD)).collect();
		assert_eq!(Agenda::<Test>::get(3).len() as u32, MAX_AGENDA_PER_BLOCK);
		assert_eq!(Agenda::<Test>::get(4).to_vec(), vec![ids[MAX_AGENDA_PER_BLOCK as usize]]);
		run_to(3);
		assert!(matches!(job(ids[MAX_AGENDA_PER_BLOCK as usize]).phase, Phase::Queued { .. }));
		next_block();
		assert!(ids.iter().all(|id| matches!(job(*id).phase, Phase::Committing { .. })));
	});
}

#[test]
fn what_does_not_fit_the_weight_limit_waits_for_the_next_block() {
	run_test(|| {
		let first = submit(ALICE, 1, 1, REWARD);
		let second = submit(BOB, 1, 1, REWARD);
		// Room for one block's bookkeeping and one job.
		let one = Pallet::<Test>::agenda_item_weight_of(first)
			.saturating_add(Pallet::<Test>::agenda_block_weight());
		AgendaWeightLimit::set(&one);
		run_to(3);
		assert!(matches!(job(first).phase, Phase::Committing { .. }));
		assert!(matches!(job(second).phase, Phase::Queued { .. }));
		assert_eq!(AgendaBacklog::<Test>::get(), Some(3));
		AgendaWeightLimit::set(&Weight::MAX);
		next_block();
		assert!(matches!(job(second).phase, Phase::Committing { .. }));
		assert_eq!(AgendaBacklog::<Test>::get(), None);
	});
}

/// An entry is charged for the assignees its job has when it comes due, since no entry
/// settles an assignee it drew: a job waiting for its draw is charged as one with a single
/// assignee, whatever its replicas; once drawn, two jobs of one replica fit where one job of
/// five would not, and the worst case charged for any entry would fit neither.
#[test]
fn an_agenda_entry_is_charged_for_the_assignees_its_job_has() {
	run_test(|| {
		let small = [submit(ALICE, 1, 1, REWARD), submit(BOB, 1, 1, REWARD)];
		let large = submit(ALICE, 5, 3, REWARD);
		let block = Pallet::<Test>::agenda_block_weight();
		let charged = |id| Pallet::<Test>::agenda_item_weight_of(id);
		let entry = |assignees| Pallet::<Test>::agenda_item_weight_for(assignees);
		assert_eq!(charged(large), entry(1), "a draw settles nobody");
		run_to(3);
		assert_eq!(charged(small[0]), entry(1));
		assert_eq!(charged(large), entry(5));
		// A job that is gone is charged the worst case.
		assert_eq!(charged(JobId::MAX), Pallet::<Test>::agenda_item_weight());
		assert!(charged(small[0]).all_lt(charged(large)));
		assert!(charged(large).all_lt(Pallet::<Test>::agenda_item_weight()));
		// The three commit windows end together (nobody commits). Room for the bookkeeping
		// and both small jobs: exactly that, and less than the worst case twice.
		let Phase::Committing { until } = job(large).phase else { panic!("drawn") };
		assert!(small.iter().all(|id| job(*id).phase == Phase::Committing { until }));
		let room = block.saturating_add(charged(small[0])).saturating_add(charged(small[1]));
		assert!(room.any_lt(block.saturating_add(Pallet::<Test>::agenda_item_weight() * 2)));
		AgendaWeightLimit::set(&room);
		run_to(until + 1);
		assert!(small.iter().all(|id| job(*id).round == 1), "both escalated");
		assert_eq!(job(large).phase, Phase::Committing { until }, "no room left for it");
		AgendaWeightLimit::set(&Weight::MAX);
		next_block();
		assert_eq!(job(large).round, 1);
	});
}

/// Pricing an entry reads its job: that read is charged even when the entry then does not
/// fit and waits for the next block (it used to be made uncharged), and it is the only read
/// of the job an entry makes.
#[test]
fn the_read_that_prices_an_agenda_entry_is_charged_even_when_the_entry_waits() {
	use frame_support::{
		traits::Get,
		weights::{RuntimeDbWeight, WeightMeter},
	};
	run_test(|| {
		let id = submit(ALICE, 1, 1, REWARD);
		// Block 2's hooks mix randomness for the draw; block 3's agenda is run by hand.
		run_to(2);
		System::set_block_number(3);
		let block = Pallet::<Test>::agenda_block_weight();
		let read =
			<<Test as frame_system::Config>::DbWeight as Get<RuntimeDbWeight>>::get().reads(1);
		let entry = Pallet::<Test>::agenda_item_weight_of(id);
		// Room for the bookkeeping and the read, not for the entry's work.
		let mut meter = WeightMeter::with_limit(
			block.saturating_add(entry).saturating_sub(Weight::from_parts(1, 0)),
		);
		Pallet::<Test>::process_agenda(3, &mut meter);
		assert_eq!(meter.consumed(), block.saturating_add(read));
		assert!(matches!(job(id).phase, Phase::Queued { .. }), "it waits");
		assert_eq!(AgendaBacklog::<Test>::get(), Some(3));
		// With room for it, the entry is charged exactly its price, the read included.
		let mut meter = WeightMeter::new();
		Pallet::<Test>::process_agenda(3, &mut meter);
		assert_eq!(meter.consumed(), block.saturating_add(entry));
		assert!(matches!(job(id).phase, Phase::Committing { .. }));
	});
}

#[test]
fn assignment_waits_for_randomness() {
	run_test(|| {
		HasRandomness::set(&false);
		let id = submit(ALICE, 1, 1, REWARD);
		run_to(3);
		assert!(matches!(job(id).phase, Phase::Queued { .. }));
		assert_eq!(job(id).unassigned, None, "nothing is wrong with the job itself");
		HasRandomness::set(&true);
		next_block();
		assert!(matches!(job(id).phase, Phase::Committing { .. }));
	});
}

#[test]
fn assignment_is_fixed_by_the_randomness_and_spread_by_it() {
	// The same chain state gives the same providers; over many jobs, every provider is drawn.
	let mut drawn = std::collections::BTreeSet::new();
	let mut first_run = Vec::new();
	for run in 0..2 {
		new_test_ext().execute_with(|| {
			// Five jobs, one block apart: the first still commits when the last is assigned.
			for _ in 0..5 {
				let (id, p) = submit_assigned(ALICE, 1, 1, REWARD);
				if run == 0 {
					first_run.push(p.clone());
				} else {
					assert_eq!(p, first_run[id as usize]);
				}
				drawn.extend(p);
			}
		});
	}
	assert!(drawn.len() >= 3, "five draws reached only {drawn:?}");
}

#[test]
fn duties_tell_a_provider_what_it_owes() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 2, 2, REWARD);
		assert_eq!(
			Pallet::<Test>::duties(p[0]),
			vec![PendingDuty { job: id, duty: Duty::Commit { until: 8 } }]
		);
		assert_ok!(commit(p[0], id, RESULT_A));
		assert!(Pallet::<Test>::duties(p[0]).is_empty());
		assert_ok!(commit(p[1], id, RESULT_A));
		assert_eq!(
			Pallet::<Test>::duties(p[0]),
			vec![PendingDuty { job: id, duty: Duty::Reveal { until: 8 } }]
		);
		assert_eq!(Pallet::<Test>::open_jobs(), vec![id]);
		assert_eq!(Pallet::<Test>::job_input(id), Some(vec![7u8; 16]));
		assert_ok!(reveal(p[0], id, RESULT_A));
		assert_ok!(reveal(p[1], id, RESULT_A));
		assert!(Pallet::<Test>::duties(p[0]).is_empty());
		assert_eq!(Pallet::<Test>::open_jobs(), Vec::<JobId>::new());
		assert_eq!(Pallet::<Test>::job_input(id), None, "inline input is dropped at the end");
	});
}

#[test]
fn a_quote_gives_the_price_of_k_providers_or_why_there_is_none() {
	run_test(|| {
		assert_ok!(Providers::update(RuntimeOrigin::signed(PROVIDERS[0]), None, None, Some(1)));
		let unchanged = Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 1, 1).unwrap();
		assert_eq!(unchanged.min_reward, Ok(PRICE * SORT_WORK_UNITS), "not in force yet");
		make_assignable(PROVIDERS[0]);
		let quote = Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 2, 2).unwrap();
		assert_eq!(quote.work_units, SORT_WORK_UNITS);
		assert_eq!(quote.min_reward, Ok(PRICE * SORT_WORK_UNITS));
		assert_eq!((quote.pool, quote.pool_needed), (12, 4), "every provider asks that much");
		assert_eq!(quote.escalation_replicas, MAX_ESCALATIONS * ESCALATION_REPLICAS);
		let retries = Jobs::retry_budget();
		assert_eq!(
			retries,
			(2 * 2 - 1) * RETRY_FEE,
			"two attempts in each of two rounds may fail, the first paid by submit"
		);
		assert_eq!(quote.inline_deposit, Some(JOB_DEPOSIT + 16 * BYTE_DEPOSIT + retries));
		// Two for one replica: the cheapest alone is no draw.
		let one = Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 1, 1).unwrap();
		assert_eq!(one.min_reward, Ok(PRICE * SORT_WORK_UNITS));
		assert_eq!((one.pool, one.pool_needed), (12, 2));
		assert_eq!(
			Pallet::<Test>::quote(KernelId::MatmulI8, vec![1, 1, 1], 1, 1).unwrap().min_reward,
			Err(NoAssignment::NoProviderSupportsKernel)
		);
		assert_eq!(
			Pallet::<Test>::quote(KernelId::SortU32, vec![0], 1, 1),
			Err(QuoteError::InvalidParams)
		);
		assert_eq!(
			Pallet::<Test>::quote(KernelId::SortU32, sort_params(), 0, 1),
			Err(QuoteError::InvalidReplicas)
		);
		// 16M values: too large to send inline.
		let big = Pallet::<Test>::quote(KernelId::SortU32, vec![16_777_216], 1, 1).unwrap();
		assert_eq!(big.inline_deposit, None);
	});
}

#[test]
fn a_duty_past_its_window_is_not_listed_even_if_the_agenda_runs_late() {
	run_test(|| {
		let (id, p) = submit_assigned(ALICE, 2, 2, REWARD);
		assert_eq!(Pallet::<Test>::duties(p[0]).len(), 1);
		// Block 9 before its hooks: the commit window (3..=8) closed, the job not yet moved on
		// (as when the agenda of a busy block spills into later ones).
		System::set_block_number(9);
		assert!(matches!(job(id).phase, Phase::Committing { until: 8 }));
		assert!(Pallet::<Test>::duties(p[0]).is_empty());
		assert_eq!(
			commit(p[0], id, RESULT_A),
			Err(crate::Error::<Test>::CommitWindowClosed.into())
		);
		// Block 9's hooks now run: nothing was committed, so the job escalates.
		<Jobs as frame_support::traits::Hooks<u64>>::on_initialize(9);
		assert_eq!(job(id).round, 1);
	});
}
