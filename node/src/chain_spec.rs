//! The chains this node knows by name: `dev`, `local` and `network`. Any other chain is loaded from a
//! chain-spec JSON file (`--chain path/to/spec.json`), as written by `export-chain-spec`.

use concord_runtime::{units, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// A chain spec of the Concord runtime (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// What Polkadot.js Apps and wallets read from `system_properties` to show amounts and
/// addresses the way the runtime counts them.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), units::TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), units::TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), units::SS58_PREFIX.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's WebAssembly was not built; build without SKIP_WASM_BUILD".to_string()
	})
}

/// `--dev`: one validator (Alice), the twelve providers of `runtime/dev-providers.txt` (see the
/// runtime's genesis presets).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	chain_spec(
		"Concord Development",
		"concord_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// `--chain local`: validators Alice and Bob, the same providers.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	chain_spec(
		"Concord Local Testnet",
		"concord_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// `--chain network`: validators Alice, Bob, Charlie and Dave, the same providers; what
/// `scripts/network.sh` runs, one process per validator and per provider.
pub fn network_chain_spec() -> Result<ChainSpec, String> {
	chain_spec(
		"Concord Local Network",
		"concord_network",
		ChainType::Local,
		concord_runtime::genesis_config_presets::NETWORK_PRESET,
	)
}

/// A chain of this runtime, its genesis from the runtime's preset `preset`.
fn chain_spec(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

#[cfg(test)]
mod tests {
	use super::*;
	use concord_runtime::{Runtime, BABE_GENESIS_EPOCH_CONFIG};
	use sp_runtime::BuildStorage;

	/// Builds the genesis state of `spec` and runs `check` in it.
	fn in_genesis_of(spec: ChainSpec, check: impl FnOnce()) {
		let storage = spec.build_storage().expect("the preset builds a genesis state");
		sp_io::TestExternalities::new(storage).execute_with(check);
	}

	#[test]
	fn dev_genesis_has_one_validator_and_twelve_assignable_providers() {
		in_genesis_of(development_chain_spec().unwrap(), || {
			assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 1);
			assert_eq!(pallet_babe::EpochConfig::<Runtime>::get(), Some(BABE_GENESIS_EPOCH_CONFIG));
			assert_eq!(pallet_providers::Providers::<Runtime>::count(), 12);
			for kernel in concord_primitives::kernel::KernelId::ALL {
				assert_eq!(pallet_providers::KernelProviders::<Runtime>::get(kernel).len(), 12);
				// Assignable from the first block: genesis terms are in force at once.
				let (candidates, _) = <concord_runtime::Providers as pallet_providers::ProviderRegistry<
					_,
					_,
					_,
				>>::candidates(kernel, 0, 0);
				assert_eq!(candidates.iter().filter(|c| c.has_room).count(), 12);
			}
			concord_runtime::Providers::do_try_state().expect("registry invariants hold");
		});
	}

	#[test]
	fn local_genesis_has_two_validators() {
		in_genesis_of(local_chain_spec().unwrap(), || {
			assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 2);
			assert_eq!(pallet_grandpa::Authorities::<Runtime>::get().len(), 2);
			assert_eq!(pallet_providers::Providers::<Runtime>::count(), 12);
		});
	}

	#[test]
	fn network_genesis_has_four_validators_and_twelve_providers() {
		in_genesis_of(network_chain_spec().unwrap(), || {
			assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 4);
			assert_eq!(pallet_grandpa::Authorities::<Runtime>::get().len(), 4);
			assert_eq!(pallet_providers::Providers::<Runtime>::count(), 12);
			concord_runtime::Providers::do_try_state().expect("registry invariants hold");
		});
	}

	#[test]
	fn the_dev_providers_list_is_read_strictly() {
		use concord_runtime::genesis_config_presets::{parse_dev_topology, BadDevProvider};
		use sp_keyring::Sr25519Keyring;
		let listed = concord_runtime::genesis_config_presets::dev_topology().unwrap();
		assert_eq!(listed.len(), 12);
		assert_eq!(listed[5].account, Sr25519Keyring::AliceStash);
		assert_eq!((listed[5].p2p_port, listed[5].http_port), (40338, 41338));
		let read = parse_dev_topology("# a comment\n\nAlice 1 2\n  Alice//stash 3 4  \n").unwrap();
		assert_eq!(read.len(), 2);
		assert_eq!(read[1].account, Sr25519Keyring::AliceStash);
		let unreadable = |line: &str| BadDevProvider::Unreadable(line.to_string());
		// `alice` would be `//alice` to the scripts, another account.
		assert_eq!(parse_dev_topology("alice 1 2"), Err(unreadable("alice 1 2")));
		assert_eq!(parse_dev_topology("Alice 1"), Err(unreadable("Alice 1")));
		assert_eq!(parse_dev_topology("Alice 1 2 3"), Err(unreadable("Alice 1 2 3")));
		assert_eq!(parse_dev_topology("Alice 1 70000"), Err(unreadable("Alice 1 70000")));
		assert_eq!(parse_dev_topology("Mallory 1 2"), Err(unreadable("Mallory 1 2")));
		let repeated = |line: &str| BadDevProvider::Repeated(line.to_string());
		assert_eq!(parse_dev_topology("Alice 1 2\nAlice 3 4"), Err(repeated("Alice 3 4")));
		assert_eq!(parse_dev_topology("Alice 1 2\nBob 2 3"), Err(repeated("Bob 2 3")));
		assert_eq!(parse_dev_topology("Alice 1 1"), Err(repeated("Alice 1 1")));
		let requester = BadDevProvider::Requester("Dave//stash 1 2".to_string());
		assert_eq!(parse_dev_topology("Dave//stash 1 2"), Err(requester));
	}

	#[test]
	fn properties_match_the_runtime() {
		let properties = properties();
		assert_eq!(properties["tokenSymbol"], "CORD");
		assert_eq!(properties["tokenDecimals"], 12);
		assert_eq!(properties["ss58Format"], 42);
	}
}
