//! Every stored layout the pallet has had migrates to today's.

use super::*;

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
