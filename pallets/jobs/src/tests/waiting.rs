//! Waiting for providers (NM2 in ../shared/reviews/SECURITY-REVIEW.md): a waiting job is tried
//! again at growing intervals and pays `RetryFee` from its deposit for each attempt that finds
//! no pool (but the first, which `submit` paid for), never from the rewards it holds; and while
//! `MaxQueuedPerKernel` jobs of a kernel wait, only a job whose pool is free now is taken.

use crate::{mock::*, types::*, Event, QueuedJobs};
use concord_primitives::kernel::KernelId;
use frame_support::assert_ok;

const REWARD: Balance = 100;

/// ALICE's three jobs of five replicas, whose assignees never commit, hold 15 of the 24
/// slots for their whole 30-block commit window (the longest a sort job of four values may
/// have): a job of five submitted after they were drawn finds at most nine free providers for
/// its pool of ten.
fn busy_pool() {
	for _ in 0..3 {
		assert_ok!(try_submit_with_windows(ALICE, 5, 3, REWARD, (30, 5)));
	}
	run_to(System::block_number() + DRAW_DELAY);
}

/// A job waiting 24 blocks for a busy pool used to be tried every `RETRY_INTERVAL` blocks (11
/// attempts, none paid for). Now the waits double from 2 blocks up to a quarter of the
/// timeout: 5 attempts, each after the first (which `submit` paid for) burning `RETRY_FEE`
/// from the job's deposit, and the requester gets everything else back when the job fails.
#[test]
fn a_waiting_job_is_tried_at_growing_intervals_and_pays_for_each_attempt() {
	run_test(|| {
		AssignmentTimeout::set(&24);
		busy_pool();
		let queued_at = System::block_number();
		let before = free(BOB);
		let id = submit(BOB, 5, 3, REWARD);

		let deferrals = deferrals_until(id, queued_at + 24);

		let waited: Vec<u64> = deferrals.iter().map(|(at, _)| at - queued_at).collect();
		assert_eq!(waited, [2, 4, 8, 14, 20], "waits double, up to a quarter of the timeout");
		assert_eq!(deferrals.len() as u32, Jobs::most_deferred_attempts());
		let fees: Vec<Balance> = deferrals.iter().map(|(_, fee)| *fee).collect();
		assert_eq!(fees, [0, RETRY_FEE, RETRY_FEE, RETRY_FEE, RETRY_FEE], "each later one pays");
		assert!(matches!(
			job(id).phase,
			Phase::Failed { reason: FailReason::Unassigned(NoAssignment::AllAtCapacity { .. }) }
		));
		assert_eq!(free(BOB), before - 4 * RETRY_FEE, "all but the fees is refunded");
	});
}

/// A job from before retries were charged holds no fees in its deposit: its attempts burn
/// what deposit it has and then nothing, never the rewards its escrow holds for its providers.
#[test]
fn retry_fees_never_come_out_of_the_rewards_a_job_holds() {
	use frame_support::traits::{fungible::MutateHold, tokens::Precision};
	run_test(|| {
		AssignmentTimeout::set(&24);
		busy_pool();
		let queued_at = System::block_number();
		let id = submit(BOB, 5, 3, REWARD);
		// As submitted before the upgrade: a deposit of 2, with nothing held for retries.
		let mut old = job(id);
		let unheld = old.deposit - 2;
		assert_ok!(<Balances as MutateHold<_>>::release(
			&crate::HoldReason::JobEscrow.into(),
			&BOB,
			unheld,
			Precision::Exact,
		));
		old.deposit -= unheld;
		old.escrow -= unheld;
		crate::Jobs::<Test>::insert(id, &old);
		let rewards = old.escrow - old.deposit;
		let before = free(BOB);

		let deferrals = deferrals_until(id, queued_at + 23);

		let fees: Vec<Balance> = deferrals.iter().map(|(_, fee)| *fee).collect();
		assert_eq!(fees, [0, 1, 1, 0, 0], "the deposit pays, then nothing does");
		assert_eq!(job(id).escrow, rewards, "the rewards are all still held");
		run_to(queued_at + 24);
		assert_eq!(free(BOB), before + rewards, "the rewards are refunded whole");
	});
}

/// Two sort jobs of five wait for the busy pool and fill their kernel's queue of two; a third
/// that would wait too is refused and changes nothing. A job whose pool is free now is taken
/// even so (squatting the queue cannot hold it up), and another kernel's jobs are not held up.
#[test]
fn a_kernels_queue_is_bounded_and_other_kernels_stay_open() {
	run_test(|| {
		MaxQueuedPerKernel::set(&2);
		busy_pool();
		submit(BOB, 5, 3, REWARD);
		submit(BOB, 5, 3, REWARD);
		assert_eq!(QueuedJobs::<Test>::get(KernelId::SortU32), 2);
		let before = free(BOB);
		assert_eq!(
			try_submit(BOB, 5, 3, REWARD),
			Err(crate::Error::<Test>::KernelQueueFull.into())
		);
		assert_eq!(free(BOB), before, "a refused job holds nothing");

		let one = submit(BOB, 1, 1, REWARD);
		assert_eq!(QueuedJobs::<Test>::get(KernelId::SortU32), 3, "past the bound, drawn soon");
		let sha_params = vec![4, 1];
		let quote = Jobs::quote(KernelId::Sha256Batch, sha_params.clone(), 1, 1).unwrap();
		assert_ok!(Jobs::submit(
			RuntimeOrigin::signed(BOB),
			KernelId::Sha256Batch,
			sha_params,
			InputSpec::Inline(vec![1, 2, 3, 4]),
			1,
			1,
			quote.min_reward.unwrap(),
			5,
			5,
		));
		assert_eq!(QueuedJobs::<Test>::get(KernelId::Sha256Batch), 1, "a queue of its own");

		run_to(System::block_number() + DRAW_DELAY);
		assert!(matches!(job(one).phase, Phase::Committing { .. }), "the free pool took it");
		assert_eq!(QueuedJobs::<Test>::get(KernelId::SortU32), 2, "the two still wait");
	});
}

/// An escalation was accepted with its job, so it waits for a panel even when its kernel's
/// queue is full; it counts against the queue until the panel is drawn.
#[test]
fn an_escalation_waits_for_its_panel_even_when_the_queue_is_full() {
	run_test(|| {
		MaxQueuedPerKernel::set(&1);
		let (id, p) = submit_assigned(ALICE, 3, 2, REWARD);
		let results = [RESULT_A, RESULT_B, sp_core::H256::repeat_byte(0xcc)];
		for (who, result) in p.iter().zip(results) {
			assert_ok!(commit(*who, id, result));
		}
		let waiting = submit(BOB, 3, 2, REWARD);
		for (who, result) in p.iter().zip(results) {
			assert_ok!(reveal(*who, id, result));
		}
		assert!(job_events().contains(&Event::Escalated { job: id, round: 1, extra: 3 }));
		assert_eq!(QueuedJobs::<Test>::get(KernelId::SortU32), 2, "past the bound");

		run_to(System::block_number() + DRAW_DELAY);
		assert_eq!(job(id).round, 1);
		assert!(matches!(job(id).phase, Phase::Committing { .. }), "the panel was drawn");
		assert!(matches!(job(waiting).phase, Phase::Committing { .. }));
		assert_eq!(QueuedJobs::<Test>::get(KernelId::SortU32), 0);
	});
}

/// Version 4 counts the queued jobs of each kernel that a chain at version 3 holds.
#[test]
fn version_3_chains_count_their_queued_jobs() {
	use crate::migrations::v4::MigrateV3ToV4;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run_test(|| {
		let (_, _) = submit_assigned(ALICE, 3, 2, REWARD);
		submit(ALICE, 3, 2, REWARD);
		submit(BOB, 3, 2, REWARD);
		let cancelled = submit(BOB, 3, 2, REWARD);
		assert_ok!(Jobs::cancel(RuntimeOrigin::signed(BOB), cancelled));
		let _ = QueuedJobs::<Test>::clear(u32::MAX, None);
		StorageVersion::new(3).put::<Jobs>();

		MigrateV3ToV4::<Test>::on_runtime_upgrade();

		assert_eq!(Jobs::on_chain_storage_version(), 4);
		assert_eq!(QueuedJobs::<Test>::get(KernelId::SortU32), 2, "the assigned one waits no more");
		MigrateV3ToV4::<Test>::on_runtime_upgrade();
		assert_eq!(QueuedJobs::<Test>::get(KernelId::SortU32), 2, "run again, it does nothing");
	});
}

/// The invariants see a queue count out of step with the jobs waiting: a count that outlived
/// its job would keep a place of its kernel's queue taken for good.
#[test]
fn a_queue_count_out_of_step_with_the_waiting_jobs_fails_the_invariants() {
	run_test(|| {
		submit(ALICE, 3, 2, REWARD);
		assert_ok!(crate::Pallet::<Test>::do_try_state());
		QueuedJobs::<Test>::mutate(KernelId::SortU32, |count| *count += 1);
		assert!(crate::Pallet::<Test>::do_try_state().is_err(), "a drifted count went unseen");
		QueuedJobs::<Test>::mutate(KernelId::SortU32, |count| *count -= 1);
		assert_ok!(crate::Pallet::<Test>::do_try_state());
	});
}
