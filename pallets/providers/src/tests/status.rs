//! Going offline and online.

use super::*;

#[test]
fn going_offline_and_online_moves_the_provider_out_of_and_into_the_index() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		register(BOB, MIN_STAKE, &[KernelId::MatmulI8]);

		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(ALICE)));
		assert_eq!(info(ALICE).status, ProviderStatus::Offline);
		// Closed, not removed: a draw reading an earlier block may still see it.
		assert_eq!(listed_live(KernelId::MatmulI8), vec![BOB]);
		assert_eq!(listed(KernelId::MatmulI8), vec![ALICE, BOB]);
		assert_eq!(
			last_event(),
			Event::WentOffline { provider: ALICE, reason: OfflineReason::Requested }
		);
		assert_noop!(
			Providers::go_offline(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::AlreadyOffline
		);

		assert_ok!(Providers::go_online(RuntimeOrigin::signed(ALICE)));
		assert_eq!(listed_live(KernelId::MatmulI8), vec![ALICE, BOB]);
		assert_eq!(last_event(), Event::WentOnline { provider: ALICE });
		assert_noop!(
			Providers::go_online(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::AlreadyOnline
		);
		// The stake stays held throughout.
		assert_eq!(held(ALICE), MIN_STAKE);
	});
}
