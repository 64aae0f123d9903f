//! Tests of every call and of the registry interface. Each runs through `run_test`, which
//! checks the pallet's invariants (held balance equals recorded stake, kernel index in step
//! with status) once the test is done.

use crate::{
	mock::*,
	pallet::{HoldReason, KernelProviders, ProviderInfoOf},
	registry::{ProviderRegistry, Slot},
	types::*,
	Error, Event,
};
use concord_primitives::kernel::KernelId;
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate},
};
use sp_runtime::{traits::BadOrigin, BuildStorage, Perbill};

const ENDPOINT: &[u8] = b"/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWExample";
const PRICE: Balance = 3;

fn caps(kernels: &[KernelId]) -> CapabilitiesInput {
	CapabilitiesInput {
		backend: GpuBackend::Vulkan,
		device_name: b"llvmpipe".to_vec(),
		memory_mib: 4096,
		kernels: kernels.to_vec(),
		max_concurrent_jobs: 2,
	}
}

fn register(who: AccountId, stake: Balance, kernels: &[KernelId]) {
	assert_ok!(Providers::register(
		RuntimeOrigin::signed(who),
		stake,
		caps(kernels),
		ENDPOINT.to_vec(),
		PRICE
	));
}

/// Registers `who` and makes its terms the ones in force, as for a provider registered
/// longer than the activation delay ago.
fn register_assignable(who: AccountId, stake: Balance, kernels: &[KernelId]) {
	register(who, stake, kernels);
	crate::pallet::Providers::<Test>::mutate(who, |info| {
		let info = info.as_mut().expect("registered");
		info.prior_terms = info.terms();
	});
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ProviderStake.into(), &who)
}

fn info(who: AccountId) -> ProviderInfoOf<Test> {
	crate::Providers::<Test>::get(who).expect("registered")
}

/// The providers in `kernel`'s list that a draw of this block may see.
fn listed_live(kernel: KernelId) -> Vec<AccountId> {
	let now = System::block_number();
	let list = KernelProviders::<Test>::get(kernel).into_iter();
	list.filter(|entry| entry.is_live(&now)).map(|entry| entry.provider).collect()
}

/// The providers in `kernel`'s list, dead entries included.
fn listed(kernel: KernelId) -> Vec<AccountId> {
	KernelProviders::<Test>::get(kernel).into_iter().map(|entry| entry.provider).collect()
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Providers(event) => Some(event),
			_ => None,
		})
		.expect("the pallet emitted an event")
}

// ---- register ----

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

/// Rewrites `who`'s record in the layout of versions 2 and 3 (no draw history).
fn write_old_record(who: AccountId) {
	use codec::Encode;
	let record = info(who);
	let old = crate::migrations::v4::OldProviderInfo::<Test> {
		stake: record.stake,
		capabilities: record.capabilities,
		endpoint: record.endpoint,
		price_per_work_unit: record.price_per_work_unit,
		status: record.status,
		active_jobs: record.active_jobs,
		reputation: record.reputation,
		registered_at: record.registered_at,
		prior_terms: record.prior_terms,
		terms_changed_at: record.terms_changed_at,
	};
	frame_support::storage::unhashed::put_raw(
		&crate::Providers::<Test>::hashed_key_for(who),
		&old.encode(),
	);
}

/// A version-2 chain (lists of accounts, records without a draw history) goes through the
/// runtime's migrations, 2 to 3, 3 to 4 and 4 to 5: the lists become listings with the
/// `until` each record implies, the records gain an empty history and await no verdict, and
/// the invariants hold on the result (`run_test` checks them); a second run does nothing.
#[test]
fn version_2_kernel_lists_migrate_to_listings() {
	use crate::migrations::{
		v3::{MigrateV2ToV3, OldList},
		v4::MigrateV3ToV4,
		v5::MigrateV4ToV5,
	};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	type Migrations = (MigrateV2ToV3<Test>, MigrateV3ToV4<Test>, MigrateV4ToV5<Test>);
	run_test(|| {
		register_assignable(ALICE, MIN_STAKE, &[KernelId::MatmulI8, KernelId::SortU32]);
		register_assignable(BOB, MIN_STAKE, &[KernelId::MatmulI8]);
		register(CHARLIE, MIN_STAKE, &[KernelId::SortU32]);
		assert_ok!(Providers::go_offline(RuntimeOrigin::signed(BOB)));
		let bob_until = System::block_number() + ACTIVATION_DELAY;
		let expected: Vec<_> =
			[KernelId::MatmulI8, KernelId::SortU32].map(KernelProviders::<Test>::get).into();
		for kernel in [KernelId::MatmulI8, KernelId::SortU32] {
			let old = OldList::<Test>::truncate_from(listed(kernel));
			frame_support::storage::unhashed::put(
				&KernelProviders::<Test>::hashed_key_for(kernel),
				&old,
			);
		}
		// What the records hold but their history (Bob's going offline wrote one).
		let records = [ALICE, BOB, CHARLIE]
			.map(|who| ProviderInfoOf::<Test> { history: Default::default(), ..info(who) });
		for who in [ALICE, BOB, CHARLIE] {
			write_old_record(who);
		}
		StorageVersion::new(2).put::<crate::Pallet<Test>>();

		Migrations::on_runtime_upgrade();

		assert_eq!(crate::Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(5));
		let migrated: Vec<_> =
			[KernelId::MatmulI8, KernelId::SortU32].map(KernelProviders::<Test>::get).into();
		assert_eq!(migrated, expected);
		let bob = KernelProviders::<Test>::get(KernelId::MatmulI8)[1].clone();
		assert_eq!(bob, Listing { provider: BOB, until: Some(bob_until) });
		assert_eq!([ALICE, BOB, CHARLIE].map(info), records);
		Migrations::on_runtime_upgrade();
		let again: Vec<_> =
			[KernelId::MatmulI8, KernelId::SortU32].map(KernelProviders::<Test>::get).into();
		assert_eq!(again, expected);
	});
}

// ---- update ----

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

// ---- bond_extra ----

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

// ---- online / offline ----

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

// ---- unregister / withdraw ----

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

// ---- the registry interface used by the job pallets ----

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

// ---- genesis ----

#[test]
fn genesis_registers_providers_like_the_call() {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> { balances: vec![(ALICE, FUNDS)], ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	crate::GenesisConfig::<Test> {
		providers: vec![crate::genesis::GenesisProvider {
			account: ALICE,
			stake: MIN_STAKE,
			backend: "vulkan".into(),
			device_name: "llvmpipe".into(),
			memory_mib: 1024,
			kernels: vec!["matmul-i8".into(), "sha256-batch".into()],
			max_concurrent_jobs: 4,
			endpoint: "/ip4/127.0.0.1/tcp/30333".into(),
			price_per_work_unit: 1,
		}],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(held(ALICE), MIN_STAKE);
		assert_eq!(listed(KernelId::Sha256Batch), vec![ALICE]);
		assert_eq!(info(ALICE).capabilities.max_concurrent_jobs, 4);
		Providers::do_try_state().unwrap();
	});
}

#[test]
fn genesis_json_reads_like_a_person_wrote_it() {
	let json = r#"{"providers":[{"account":1,"stake":1000,"backend":"cpu","deviceName":"ref",
		"memoryMib":1,"kernels":["sort-u32"],"maxConcurrentJobs":1,"endpoint":"/ip4/1.2.3.4",
		"pricePerWorkUnit":0}]}"#;
	let config: crate::GenesisConfig<Test> = serde_json::from_str(json).expect("valid preset");
	assert_eq!(config.providers[0].kernels, vec!["sort-u32".to_string()]);
}

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

/// Version-3 records (no draw history) migrate to version 4 with an empty history and every
/// other field kept, and on to version 5; a second run does nothing.
#[test]
fn version_3_provider_records_migrate_to_records_with_a_draw_history() {
	use crate::migrations::{v4::MigrateV3ToV4, v5::MigrateV4ToV5};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	type Migrations = (MigrateV3ToV4<Test>, MigrateV4ToV5<Test>);
	run_test(|| {
		register_assignable(ALICE, MIN_STAKE, &[KernelId::MatmulI8, KernelId::SortU32]);
		register(BOB, 2 * MIN_STAKE, &[KernelId::SortU32]);
		let expected = [info(ALICE), info(BOB)];
		for record in &expected {
			assert!(record.history.is_empty());
		}
		for who in [ALICE, BOB] {
			write_old_record(who);
		}
		StorageVersion::new(3).put::<crate::Pallet<Test>>();

		MigrateV3ToV4::<Test>::on_runtime_upgrade();
		assert_eq!(crate::Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(4));
		Migrations::on_runtime_upgrade();

		assert_eq!(crate::Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(5));
		assert_eq!([info(ALICE), info(BOB)], expected);
		assert_eq!(crate::Providers::<Test>::count(), 2);
		Migrations::on_runtime_upgrade();
		assert_eq!([info(ALICE), info(BOB)], expected);
	});
}

/// Version-4 records (no count of awaited verdicts) migrate to version 5 awaiting none, with
/// every other field kept (the history and the slots held included).
#[test]
fn version_4_provider_records_migrate_to_records_awaiting_no_verdict() {
	use crate::migrations::v5::{MigrateV4ToV5, OldProviderInfo, OldSeen};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run_test(|| {
		register_assignable(ALICE, MIN_STAKE, &[KernelId::MatmulI8]);
		System::set_block_number(2);
		assert_ok!(Providers::begin_job(&ALICE, KernelId::MatmulI8, System::block_number()));
		let expected = info(ALICE);
		assert_eq!((expected.active_jobs, expected.history.len()), (1, 1));
		let old = OldProviderInfo::<Test> {
			stake: expected.stake,
			capabilities: expected.capabilities.clone(),
			endpoint: expected.endpoint.clone(),
			price_per_work_unit: expected.price_per_work_unit,
			status: expected.status,
			active_jobs: expected.active_jobs,
			jobs_begun: expected.jobs_begun,
			reputation: expected.reputation,
			registered_at: expected.registered_at,
			prior_terms: expected.prior_terms,
			terms_changed_at: expected.terms_changed_at,
			history: frame_support::BoundedVec::truncate_from(
				expected
					.history
					.iter()
					.map(|(at, seen)| {
						let old = OldSeen::<Test> {
							terms: seen.terms,
							prior_terms: seen.prior_terms,
							terms_changed_at: seen.terms_changed_at,
							active_jobs: seen.active_jobs,
							jobs_begun: seen.jobs_begun,
							max_concurrent_jobs: seen.max_concurrent_jobs,
							memory_mib: seen.memory_mib,
							reputation: seen.reputation,
						};
						(*at, old)
					})
					.collect::<Vec<_>>(),
			),
		};
		frame_support::storage::unhashed::put_raw(
			&crate::Providers::<Test>::hashed_key_for(ALICE),
			&old.encode(),
		);
		StorageVersion::new(4).put::<crate::Pallet<Test>>();

		MigrateV4ToV5::<Test>::on_runtime_upgrade();

		assert_eq!(crate::Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(5));
		assert_eq!(info(ALICE), expected);
		Providers::end_job(&ALICE, JobOutcome::Agreed, Slot::Held);
	});
}
