//! The registry as the job pallets use it: candidates, slots, slashes.

use super::*;

#[test]
fn candidates_are_online_providers_of_the_kernel_and_say_whether_they_have_room() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		register(BOB, 2 * MIN_STAKE, &[KernelId::MatmulI8, KernelId::SortU32]);
		register(CHARLIE, MIN_STAKE, &[KernelId::SortU32]);
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(CHARLIE)));
		let (candidates, _) = Providers::candidates(KernelId::MatmulI8, 0, System::block_number());
		assert!(candidates.is_empty(), "nobody is assignable before the activation delay");
		System::set_block_number(System::block_number() + ACTIVATION_DELAY);

		let (candidates, shortfall) =
			Providers::candidates(KernelId::MatmulI8, 0, System::block_number());
		let accounts: Vec<_> = candidates.iter().map(|c| c.account).collect();
		assert_eq!(accounts, vec![ALICE, BOB]);
		assert_eq!(candidates[1].stake, 2 * MIN_STAKE);
		assert_eq!(shortfall.listed, 2);
		assert_eq!(shortfall.at_capacity, 0);

		assert!(candidates.iter().all(|c| c.has_room));

		// ALICE takes both of her slots: still a candidate, whose weight counts, but without
		// room, and counted as at capacity.
		assert_ok!(Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()));
		assert_ok!(Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()));
		assert_noop!(
			Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()),
			Error::<Test>::CannotTakeJob
		);
		let (candidates, shortfall) =
			Providers::candidates(KernelId::MatmulI8, 0, System::block_number());
		let rooms: Vec<_> = candidates.iter().map(|c| (c.account, c.has_room)).collect();
		assert_eq!(rooms, vec![(ALICE, false), (BOB, true)]);
		assert_eq!(shortfall.at_capacity, 1);

		// SortU32: only BOB (CHARLIE is offline).
		let (candidates, _) = Providers::candidates(KernelId::SortU32, 0, System::block_number());
		assert_eq!(candidates.iter().map(|c| c.account).collect::<Vec<_>>(), vec![BOB]);
		assert_noop!(
			Providers::begin_job(&CHARLIE, KernelId::SortU32, System::block_number()),
			Error::<Test>::CannotTakeJob
		);
		assert_noop!(
			Providers::begin_job(&BOB, KernelId::Sha256Batch, System::block_number()),
			Error::<Test>::CannotTakeJob
		);
	});
}

#[test]
fn end_job_frees_the_slot_and_counts_the_outcome() {
	run_test(|| {
		register_assignable(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		for outcome in
			[JobOutcome::Agreed, JobOutcome::Agreed, JobOutcome::Deviated, JobOutcome::NoShow]
		{
			assert_ok!(Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()));
			Providers::end_job(&ALICE, outcome, Slot::Held);
		}
		let info = info(ALICE);
		assert_eq!(info.active_jobs, 0);
		assert_eq!(info.reputation, Reputation { agreed: 2, deviated: 1, no_shows: 1 });
		assert_eq!(
			last_event(),
			Event::OutcomeRecorded { provider: ALICE, outcome: JobOutcome::NoShow }
		);
	});
}

#[test]
fn slash_moves_stake_to_the_beneficiary() {
	run_test(|| {
		register(ALICE, 4 * MIN_STAKE, &[KernelId::MatmulI8]);
		let slashed = Providers::slash(&ALICE, Perbill::from_percent(10), Some(&BOB));
		assert_eq!(slashed, 400);
		assert_eq!(info(ALICE).stake, 4 * MIN_STAKE - 400);
		assert_eq!(held(ALICE), 4 * MIN_STAKE - 400);
		assert_eq!(Balances::balance(&BOB), FUNDS + 400);
		assert_eq!(info(ALICE).status, ProviderStatus::Online);
		assert_eq!(
			last_event(),
			Event::Slashed { provider: ALICE, amount: 400, beneficiary: Some(BOB) }
		);
	});
}

#[test]
fn slash_without_beneficiary_burns_and_under_the_minimum_goes_offline() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		let issuance = Balances::total_issuance();
		let slashed = Providers::slash(&ALICE, Perbill::from_percent(50), None);
		assert_eq!(slashed, MIN_STAKE / 2);
		assert_eq!(Balances::total_issuance(), issuance - MIN_STAKE / 2);
		assert_eq!(info(ALICE).status, ProviderStatus::Offline);
		assert!(listed_live(KernelId::MatmulI8).is_empty());
		assert_eq!(
			last_event(),
			Event::WentOffline { provider: ALICE, reason: OfflineReason::StakeBelowMinimum }
		);
		// Back online only after topping up.
		assert_noop!(
			Providers::go_online(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::StakeBelowMinimum
		);
		assert_ok!(Providers::bond_extra(RuntimeOrigin::signed(ALICE), MIN_STAKE / 2));
		assert_ok!(Providers::go_online(RuntimeOrigin::signed(ALICE)));
	});
}

#[test]
fn a_leaving_provider_stays_slashable_and_keeps_its_jobs_settled() {
	run_test(|| {
		register_assignable(ALICE, 2 * MIN_STAKE, &[KernelId::MatmulI8]);
		assert_ok!(Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()));
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(ALICE)));
		assert_eq!(Providers::slash(&ALICE, Perbill::from_percent(5), Some(&BOB)), 100);
		Providers::end_job(&ALICE, JobOutcome::Deviated, Slot::Held);
		// Still unbonding: a slash never flips a leaving provider's status.
		assert!(matches!(info(ALICE).status, ProviderStatus::Unbonding { .. }));
		System::set_block_number(1 + UNBONDING_PERIOD);
		assert_ok!(Providers::withdraw(RuntimeOrigin::signed(ALICE)));
		assert_eq!(Balances::balance(&ALICE), FUNDS - 100);
	});
}

#[test]
fn slashing_an_unknown_account_or_nothing_does_nothing() {
	run_test(|| {
		assert_eq!(Providers::slash(&ALICE, Perbill::from_percent(50), Some(&BOB)), 0);
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		let events = System::events().len();
		assert_eq!(Providers::slash(&ALICE, Perbill::zero(), Some(&BOB)), 0);
		assert_eq!(System::events().len(), events);
	});
}
