//! Bonding more, unregistering and withdrawing the stake.

use super::*;

#[test]
fn bond_extra_adds_to_the_hold() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_ok!(Providers::bond_extra(RuntimeOrigin::signed(ALICE), 500));
		assert_eq!(info(ALICE).stake, MIN_STAKE + 500);
		assert_eq!(held(ALICE), MIN_STAKE + 500);
		assert_eq!(
			last_event(),
			Event::StakeBonded { provider: ALICE, amount: 500, total: MIN_STAKE + 500 }
		);
	});
}

#[test]
fn bond_extra_refusals() {
	run_test(|| {
		assert_noop!(
			Providers::bond_extra(RuntimeOrigin::signed(ALICE), 1),
			Error::<Test>::NotRegistered
		);
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_noop!(
			Providers::bond_extra(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Providers::bond_extra(RuntimeOrigin::signed(ALICE), FUNDS),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn unregister_then_withdraw_after_the_unbonding_period_releases_the_stake() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(ALICE)));
		let unlock_at = 1 + UNBONDING_PERIOD;
		assert_eq!(info(ALICE).status, ProviderStatus::Unbonding { unlock_at });
		assert!(listed_live(KernelId::MatmulI8).is_empty());
		assert_eq!(last_event(), Event::Unbonding { provider: ALICE, unlock_at });

		System::set_block_number(unlock_at);
		assert_ok!(Providers::withdraw(RuntimeOrigin::signed(ALICE)));
		assert!(crate::Providers::<Test>::get(ALICE).is_none());
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), FUNDS);
		assert_eq!(last_event(), Event::Withdrawn { provider: ALICE, stake: MIN_STAKE });
	});
}

#[test]
fn withdrawing_early_or_without_unregistering_is_refused_and_keeps_the_stake() {
	run_test(|| {
		assert_noop!(
			Providers::withdraw(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotRegistered
		);
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_noop!(
			Providers::withdraw(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotUnbonding
		);
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(ALICE)));
		System::set_block_number(UNBONDING_PERIOD); // one block short
		assert_noop!(
			Providers::withdraw(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::UnbondingNotOver
		);
		assert_eq!(held(ALICE), MIN_STAKE);
		assert_eq!(Balances::balance(&ALICE), FUNDS - MIN_STAKE);
	});
}

#[test]
fn a_leaving_provider_cannot_change_or_come_back() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(ALICE)));
		let origin = || RuntimeOrigin::signed(ALICE);
		assert_noop!(Providers::unregister(origin()), Error::<Test>::Unbonding);
		assert_noop!(Providers::go_online(origin()), Error::<Test>::Unbonding);
		assert_noop!(Providers::go_offline(origin()), Error::<Test>::Unbonding);
		assert_noop!(Providers::bond_extra(origin(), 1), Error::<Test>::Unbonding);
		assert_noop!(Providers::update(origin(), None, None, Some(1)), Error::<Test>::Unbonding);
	});
}

#[test]
fn withdraw_waits_for_jobs_in_progress() {
	run_test(|| {
		register_assignable(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_ok!(Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()));
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(ALICE)));
		System::set_block_number(1 + UNBONDING_PERIOD);
		assert_noop!(
			Providers::withdraw(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::JobsInProgress
		);
		Providers::end_job(&ALICE, JobOutcome::Agreed, Slot::Held);
		assert_ok!(Providers::withdraw(RuntimeOrigin::signed(ALICE)));
	});
}

/// A slot given back at an escalation takes another job at once, but the stake stays bound
/// to the job until its verdict: a provider whose unbonding is over still cannot withdraw
/// (and escape a slash) while a verdict on it is to come. Nor is it drawn while it awaits as
/// many verdicts as it has slots, free slots or not: pending judgements stay as bounded as
/// jobs held were before slots were given back.
#[test]
fn a_freed_slot_takes_another_job_but_the_stake_waits_for_the_verdict() {
	run_test(|| {
		let begin = || Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number());
		let counts = || (info(ALICE).active_jobs, info(ALICE).awaiting_verdicts);
		let next_block = || System::set_block_number(System::block_number() + 1);
		register_assignable(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_eq!(info(ALICE).capabilities.max_concurrent_jobs, 2);
		assert_ok!(begin());
		assert_ok!(begin());
		next_block();
		assert_noop!(begin(), Error::<Test>::CannotTakeJob);

		Providers::free_slot(&ALICE);
		assert_eq!(counts(), (1, 1));
		next_block();
		assert_ok!(begin());
		assert_eq!(counts(), (2, 1));

		Providers::free_slot(&ALICE);
		next_block();
		assert_eq!(counts(), (1, 2));
		assert_noop!(begin(), Error::<Test>::CannotTakeJob);
		let (candidates, _) = Providers::candidates(KernelId::MatmulI8, 0, System::block_number());
		assert_eq!(
			candidates.iter().map(|c| (c.account, c.has_room)).collect::<Vec<_>>(),
			[(ALICE, false)]
		);
		Providers::end_job(&ALICE, JobOutcome::Agreed, Slot::Freed);
		next_block();
		assert_ok!(begin());

		for _ in 0..2 {
			Providers::end_job(&ALICE, JobOutcome::Agreed, Slot::Held);
		}
		assert_eq!(counts(), (0, 1));
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(ALICE)));
		System::set_block_number(System::block_number() + UNBONDING_PERIOD);
		assert_noop!(
			Providers::withdraw(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::JobsInProgress
		);
		Providers::end_job(&ALICE, JobOutcome::Deviated, Slot::Freed);
		assert_eq!(counts(), (0, 0));
		assert_eq!(info(ALICE).reputation, Reputation { agreed: 3, deviated: 1, no_shows: 0 });
		assert_ok!(Providers::withdraw(RuntimeOrigin::signed(ALICE)));
	});
}

#[test]
fn a_withdrawn_account_can_register_again_from_scratch() {
	run_test(|| {
		register_assignable(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_ok!(Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()));
		Providers::end_job(&ALICE, JobOutcome::Deviated, Slot::Held);
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(ALICE)));
		System::set_block_number(1 + UNBONDING_PERIOD);
		assert_ok!(Providers::withdraw(RuntimeOrigin::signed(ALICE)));

		register(ALICE, MIN_STAKE, &[KernelId::SortU32]);
		assert_eq!(info(ALICE).reputation, Reputation::default());
		assert_eq!(info(ALICE).registered_at, 1 + UNBONDING_PERIOD);
	});
}
