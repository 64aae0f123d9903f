//! What a draw sees: terms in force only after the activation delay, and the registry as
//! of an earlier block.

use super::*;

#[test]
fn a_change_reaches_assignment_only_after_the_activation_delay() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::SortU32]);
		let start = System::block_number();
		System::set_block_number(start + ACTIVATION_DELAY);
		let stake_seen = || {
			Providers::candidates(KernelId::SortU32, 0, System::block_number())
				.0
				.first()
				.map(|c| c.stake)
		};
		assert_eq!(stake_seen(), Some(MIN_STAKE));

		// More stake is weighed only after the delay.
		assert_ok!(Providers::bond_extra(RuntimeOrigin::signed(ALICE), 5));
		assert_eq!(stake_seen(), Some(MIN_STAKE));
		System::set_block_number(start + 2 * ACTIVATION_DELAY);
		assert_eq!(stake_seen(), Some(MIN_STAKE + 5));

		// Going offline takes effect after the delay too: until then it may still be drawn.
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(ALICE)));
		assert_eq!(stake_seen(), Some(MIN_STAKE + 5));
		assert_noop!(
			Providers::update(
				RuntimeOrigin::signed(ALICE),
				Some(caps(&[KernelId::MatmulI8])),
				None,
				None
			),
			Error::<Test>::StillAssignable
		);
		System::set_block_number(start + 3 * ACTIVATION_DELAY);
		assert_eq!(stake_seen(), None);
		// Out of assignment, but a draw reading one of the last DRAW_LOOKBACK blocks may
		// still see it: what it runs changes only after those.
		let new_caps = || Some(caps(&[KernelId::MatmulI8]));
		assert_noop!(
			Providers::update(RuntimeOrigin::signed(ALICE), new_caps(), None, None),
			Error::<Test>::StillAssignable
		);
		System::set_block_number(start + 3 * ACTIVATION_DELAY + crate::DRAW_LOOKBACK as u64);
		// Now its capabilities may change, and it leaves the index.
		assert_ok!(Providers::update(
			RuntimeOrigin::signed(ALICE),
			Some(caps(&[KernelId::MatmulI8])),
			None,
			None
		));
		assert!(KernelProviders::<Test>::get(KernelId::SortU32).is_empty());
	});
}

/// A draw reads the registry as it stood at the end of an earlier block (`crate::view`): the
/// slots taken, the outcomes recorded and the stake slashed since reach only views of later
/// blocks, and a record keeps at most `DRAW_LOOKBACK` entries of history.
#[test]
fn a_view_of_an_earlier_block_sees_none_of_the_changes_made_since() {
	run_test(|| {
		register_assignable(ALICE, 10 * MIN_STAKE, &[KernelId::SortU32]);
		let first = System::block_number();
		let seen = |at: u64| Providers::candidates(KernelId::SortU32, 0, at).0.first().cloned();
		let original = seen(first).expect("assignable");
		assert!(original.has_room);

		System::set_block_number(first + 1);
		assert_ok!(Providers::begin_job(&ALICE, KernelId::SortU32, System::block_number()));
		assert_ok!(Providers::begin_job(&ALICE, KernelId::SortU32, System::block_number()));
		System::set_block_number(first + 2);
		Providers::end_job(&ALICE, JobOutcome::Agreed, Slot::Held);
		assert_eq!(Providers::slash(&ALICE, Perbill::from_percent(10), None), MIN_STAKE);

		assert_eq!(seen(first), Some(original.clone()), "the first block's view is untouched");
		let full = seen(first + 1).expect("seen");
		assert_eq!((full.has_room, full.agreed, full.stake), (false, 0, 10 * MIN_STAKE));
		let last = seen(first + 2).expect("seen");
		assert_eq!((last.has_room, last.agreed, last.stake), (true, 1, 9 * MIN_STAKE));
		assert_eq!(info(ALICE).history.len(), 2);
		// A draw reading an earlier block counts the slots taken since, never those freed.
		for earlier in [first, first + 1] {
			assert_noop!(
				Providers::begin_job(&ALICE, KernelId::SortU32, earlier),
				Error::<Test>::CannotTakeJob
			);
		}

		for block in first + 3..first + 20 {
			System::set_block_number(block);
			assert_ok!(Providers::begin_job(&ALICE, KernelId::SortU32, System::block_number()));
			Providers::end_job(&ALICE, JobOutcome::Inconclusive, Slot::Held);
			assert!(info(ALICE).history.len() <= crate::DRAW_LOOKBACK as usize);
			let before = seen(block - 1).expect("seen");
			assert!(before.has_room);
		}
		assert_eq!(info(ALICE).history.len(), crate::DRAW_LOOKBACK as usize);
	});
}

/// A slash under the minimum takes a provider out at once: no view of that block or later
/// sees it, nor gives it a job. A view of an earlier block still does (a draw whose seed was
/// known by then must not change), so its list entry is closed, not removed.
#[test]
fn a_provider_slashed_under_the_minimum_leaves_later_views_and_stays_in_earlier_ones() {
	run_test(|| {
		register_assignable(ALICE, MIN_STAKE, &[KernelId::SortU32]);
		let first = System::block_number();
		System::set_block_number(first + 1);
		Providers::slash(&ALICE, Perbill::from_percent(10), None);
		assert_eq!(info(ALICE).status, ProviderStatus::Offline);
		let seen = |at: u64| Providers::candidates(KernelId::SortU32, 0, at).0.len();
		assert_eq!((seen(first), seen(first + 1)), (1, 0));
		assert_noop!(
			Providers::begin_job(&ALICE, KernelId::SortU32, first + 1),
			Error::<Test>::CannotTakeJob
		);
		assert_ok!(Providers::begin_job(&ALICE, KernelId::SortU32, first));
		assert_eq!(
			KernelProviders::<Test>::get(KernelId::SortU32).into_inner(),
			vec![Listing { provider: ALICE, until: Some(first + 1) }]
		);
	});
}
