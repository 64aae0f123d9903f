//! Changing a provider's kernels, endpoint and price.

use super::*;

#[test]
fn update_changes_kernels_endpoint_and_price_and_moves_index_entries() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8, KernelId::SortU32]);
		// Capabilities change once assignment no longer sees the provider.
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(ALICE)));
		System::set_block_number(System::block_number() + ACTIVATION_DELAY);
		assert_ok!(Providers::update(
			RuntimeOrigin::signed(ALICE),
			Some(caps(&[KernelId::SortU32, KernelId::MandelbrotQ12])),
			Some(b"/dns4/gpu.example/tcp/4001".to_vec()),
			Some(7)
		));
		let info = info(ALICE);
		assert_eq!(info.price_per_work_unit, 7);
		assert_eq!(info.endpoint.to_vec(), b"/dns4/gpu.example/tcp/4001".to_vec());
		assert_eq!(last_event(), Event::Updated { provider: ALICE });
		assert!(listed(KernelId::SortU32).is_empty(), "offline and out of assignment");
		assert_ok!(Providers::go_online(RuntimeOrigin::signed(ALICE)));
		assert!(listed(KernelId::MatmulI8).is_empty());
		assert_eq!(listed(KernelId::SortU32), vec![ALICE]);
		assert_eq!(listed(KernelId::MandelbrotQ12), vec![ALICE]);
	});
}

#[test]
fn update_refuses_nothing_unknown_callers_and_bad_fields() {
	run_test(|| {
		assert_noop!(
			Providers::update(RuntimeOrigin::signed(ALICE), None, None, Some(1)),
			Error::<Test>::NotRegistered
		);
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		let before = info(ALICE);
		assert_noop!(
			Providers::update(RuntimeOrigin::signed(ALICE), None, None, None),
			Error::<Test>::NothingToUpdate
		);
		// A bad endpoint refuses the whole update, including the good price beside it.
		assert_noop!(
			Providers::update(
				RuntimeOrigin::signed(ALICE),
				None,
				Some(vec![b'/'; MAX_ENDPOINT_LEN as usize + 1]),
				Some(99)
			),
			Error::<Test>::EndpointTooLong
		);
		assert_noop!(
			Providers::update(RuntimeOrigin::signed(ALICE), Some(caps(&[])), None, None),
			Error::<Test>::NoKernels
		);
		assert_eq!(info(ALICE), before);
	});
}

#[test]
fn update_of_an_offline_provider_does_not_list_it() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(ALICE)));
		assert_ok!(Providers::update(
			RuntimeOrigin::signed(ALICE),
			Some(caps(&[KernelId::SortU32])),
			None,
			None
		));
		assert!(listed(KernelId::SortU32).is_empty());
		assert_ok!(Providers::go_online(RuntimeOrigin::signed(ALICE)));
		assert_eq!(listed(KernelId::SortU32), vec![ALICE]);
		assert!(listed(KernelId::MatmulI8).is_empty());
	});
}
