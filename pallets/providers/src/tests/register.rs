//! Registering: the stake held, the fields checked, and the kernel lists' bound.

use super::*;

/// Who registers, with what stake, capabilities and endpoint, and the error expected.
type BadRegistration = (AccountId, Balance, CapabilitiesInput, Vec<u8>, Error<Test>);

#[test]
fn register_holds_stake_and_lists_the_provider_online() {
	run_test(|| {
		register(ALICE, 2 * MIN_STAKE, &[KernelId::MatmulI8, KernelId::Sha256Batch]);

		assert_eq!(held(ALICE), 2 * MIN_STAKE);
		assert_eq!(Balances::balance(&ALICE), FUNDS - 2 * MIN_STAKE);
		let info = info(ALICE);
		assert_eq!(info.status, ProviderStatus::Online);
		assert_eq!(info.price_per_work_unit, PRICE);
		assert_eq!(info.endpoint.to_vec(), ENDPOINT.to_vec());
		assert_eq!(info.active_jobs, 0);
		assert_eq!(info.registered_at, 1);
		assert_eq!(listed(KernelId::MatmulI8), vec![ALICE]);
		assert_eq!(listed(KernelId::Sha256Batch), vec![ALICE]);
		assert!(listed(KernelId::SortU32).is_empty());
		assert_eq!(last_event(), Event::Registered { provider: ALICE, stake: 2 * MIN_STAKE });
	});
}

#[test]
fn register_twice_is_refused_and_changes_nothing() {
	run_test(|| {
		register(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		assert_noop!(
			Providers::register(
				RuntimeOrigin::signed(ALICE),
				MIN_STAKE,
				caps(&[KernelId::SortU32]),
				ENDPOINT.to_vec(),
				PRICE
			),
			Error::<Test>::AlreadyRegistered
		);
		assert_eq!(held(ALICE), MIN_STAKE);
	});
}

#[test]
fn register_refuses_bad_input_with_named_errors_and_keeps_balances() {
	run_test(|| {
		let attempt = |who, stake, capabilities, endpoint: &[u8]| {
			Providers::register(
				RuntimeOrigin::signed(who),
				stake,
				capabilities,
				endpoint.to_vec(),
				PRICE,
			)
		};
		let cases: Vec<BadRegistration> = vec![
			(
				ALICE,
				MIN_STAKE - 1,
				caps(&[KernelId::MatmulI8]),
				ENDPOINT.to_vec(),
				Error::StakeBelowMinimum,
			),
			(
				POOR,
				MIN_STAKE,
				caps(&[KernelId::MatmulI8]),
				ENDPOINT.to_vec(),
				Error::InsufficientBalance,
			),
			// The whole balance cannot be staked: the account must stay alive.
			(
				ALICE,
				FUNDS,
				caps(&[KernelId::MatmulI8]),
				ENDPOINT.to_vec(),
				Error::InsufficientBalance,
			),
			(
				ALICE,
				MIN_STAKE,
				caps(&[KernelId::MatmulI8]),
				vec![b'/'; MAX_ENDPOINT_LEN as usize + 1],
				Error::EndpointTooLong,
			),
			(ALICE, MIN_STAKE, caps(&[KernelId::MatmulI8]), vec![], Error::EndpointEmpty),
			(
				ALICE,
				MIN_STAKE,
				caps(&[KernelId::MatmulI8]),
				b"ip4/1.2.3.4".to_vec(),
				Error::InvalidEndpoint,
			),
			(
				ALICE,
				MIN_STAKE,
				caps(&[KernelId::MatmulI8]),
				b"/ip4/1.2.3.4 /tcp/1".to_vec(),
				Error::InvalidEndpoint,
			),
			(ALICE, MIN_STAKE, caps(&[]), ENDPOINT.to_vec(), Error::NoKernels),
			(
				ALICE,
				MIN_STAKE,
				caps(&[KernelId::SortU32, KernelId::MatmulI8, KernelId::SortU32]),
				ENDPOINT.to_vec(),
				Error::DuplicateKernel,
			),
			(
				ALICE,
				MIN_STAKE,
				caps(&[KernelId::MatmulI8; 33]),
				ENDPOINT.to_vec(),
				Error::TooManyKernels,
			),
			(
				ALICE,
				MIN_STAKE,
				CapabilitiesInput {
					device_name: vec![b'x'; MAX_DEVICE_NAME_LEN as usize + 1],
					..caps(&[KernelId::MatmulI8])
				},
				ENDPOINT.to_vec(),
				Error::DeviceNameTooLong,
			),
			(
				ALICE,
				MIN_STAKE,
				CapabilitiesInput { max_concurrent_jobs: 0, ..caps(&[KernelId::MatmulI8]) },
				ENDPOINT.to_vec(),
				Error::ZeroConcurrency,
			),
		];
		for (who, stake, capabilities, endpoint, error) in cases {
			let free_before = Balances::balance(&who);
			assert_noop!(attempt(who, stake, capabilities, &endpoint), error);
			assert_eq!(Balances::balance(&who), free_before);
			assert_eq!(held(who), 0);
		}
		assert_eq!(crate::Providers::<Test>::count(), 0);
	});
}

#[test]
fn register_accepts_the_longest_fields() {
	run_test(|| {
		let capabilities = CapabilitiesInput {
			device_name: vec![b'x'; MAX_DEVICE_NAME_LEN as usize],
			..caps(&KernelId::ALL)
		};
		assert_ok!(Providers::register(
			RuntimeOrigin::signed(ALICE),
			MIN_STAKE,
			capabilities,
			vec![b'/'; MAX_ENDPOINT_LEN as usize],
			PRICE
		));
		for kernel in KernelId::ALL {
			assert_eq!(listed(kernel), vec![ALICE]);
		}
	});
}

#[test]
fn register_needs_a_signed_origin() {
	run_test(|| {
		assert_noop!(
			Providers::register(
				RuntimeOrigin::none(),
				MIN_STAKE,
				caps(&[KernelId::MatmulI8]),
				ENDPOINT.to_vec(),
				PRICE
			),
			BadOrigin
		);
	});
}

/// Why `who`, funded, could not register for `kernels`.
fn register_refused(who: AccountId, kernels: &[KernelId]) -> sp_runtime::DispatchError {
	Providers::register(
		RuntimeOrigin::signed(who),
		MIN_STAKE,
		caps(kernels),
		ENDPOINT.to_vec(),
		PRICE,
	)
	.expect_err("refused")
}

fn candidate_accounts(kernel: KernelId) -> Vec<AccountId> {
	Providers::candidates(kernel, 0, System::block_number())
		.0
		.into_iter()
		.map(|c| c.account)
		.collect()
}

#[test]
fn a_kernel_list_full_of_providers_a_draw_may_see_refuses_more() {
	run_test(|| {
		let first = 100;
		for who in first..first + u64::from(MAX_PER_KERNEL) {
			Balances::mint_into(&who, FUNDS).unwrap();
			register(who, MIN_STAKE, &[KernelId::MatmulI8]);
		}
		Balances::mint_into(&999, FUNDS).unwrap();
		let before = System::events().len();
		assert_eq!(
			register_refused(999, &[KernelId::MatmulI8]),
			Error::<Test>::TooManyProviders.into()
		);
		assert_eq!(System::events().len(), before, "nothing happened");
		assert!(!crate::Providers::<Test>::contains_key(999));
		assert_eq!(held(999), 0);
		// The bound is per kernel: the registry itself takes more.
		Balances::mint_into(&998, FUNDS).unwrap();
		register(998, MIN_STAKE, &[KernelId::SortU32]);
		assert_eq!(listed(KernelId::MatmulI8).len(), MAX_PER_KERNEL as usize);
	});
}

/// Issue 10, point 6: providers that went offline or are unbonding fill no list once no draw
/// can see them, so an attacker cannot lock newcomers out with identities that left.
#[test]
fn providers_that_left_stop_holding_places_in_a_full_list() {
	run_test(|| {
		let matmul = &[KernelId::MatmulI8];
		let first = 100;
		for who in first..first + u64::from(MAX_PER_KERNEL) {
			Balances::mint_into(&who, FUNDS).unwrap();
			register_assignable(who, MIN_STAKE, matmul);
		}
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(100)));
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(101)));
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(102)));

		// Within the activation delay a draw may still pick them, so they keep their places.
		assert!(candidate_accounts(KernelId::MatmulI8).contains(&100));
		Balances::mint_into(&999, FUNDS).unwrap();
		assert_eq!(register_refused(999, matmul), Error::<Test>::TooManyProviders.into());

		// Once it is over they are dead entries, skipped by the draw; a draw reading one of
		// the last DRAW_LOOKBACK blocks may still see them, so they keep their places until
		// those are past too, and then are dropped for a newcomer.
		System::set_block_number(System::block_number() + ACTIVATION_DELAY);
		let candidates = candidate_accounts(KernelId::MatmulI8);
		assert!(![100, 101, 102].iter().any(|who| candidates.contains(who)));
		assert_eq!(candidates.len(), MAX_PER_KERNEL as usize - 3);
		assert_eq!(register_refused(999, matmul), Error::<Test>::TooManyProviders.into());
		System::set_block_number(System::block_number() + u64::from(crate::DRAW_LOOKBACK));
		register(999, MIN_STAKE, matmul);
		assert!(listed(KernelId::MatmulI8).iter().all(|who| ![100, 101, 102].contains(who)));
		for late in [998, 997] {
			Balances::mint_into(&late, FUNDS).unwrap();
			register(late, MIN_STAKE, matmul);
		}
		assert_eq!(listed(KernelId::MatmulI8).len(), MAX_PER_KERNEL as usize);

		// Coming back needs a place like anyone else's.
		assert_noop!(
			Providers::go_online(RuntimeOrigin::signed(100)),
			Error::<Test>::TooManyProviders
		);
		assert_ok!(Providers::unregister(RuntimeOrigin::signed(998)));
		let lookback = u64::from(crate::DRAW_LOOKBACK);
		System::set_block_number(System::block_number() + ACTIVATION_DELAY + lookback);
		assert_ok!(Providers::go_online(RuntimeOrigin::signed(100)));
		assert!(listed(KernelId::MatmulI8).contains(&100));

		// The one unbonding still gets its stake back.
		System::set_block_number(System::block_number() + UNBONDING_PERIOD);
		assert_ok!(Providers::withdraw(RuntimeOrigin::signed(102)));
		assert_eq!(held(102), 0);
		assert_eq!(Balances::balance(&102), FUNDS);
	});
}
