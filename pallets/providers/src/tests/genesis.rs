//! Providers registered in a chain's genesis.

use super::*;

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
