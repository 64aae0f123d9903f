//! Genesis presets: the initial state of a development chain and of a local test network.
//!
//! - `development` (`--dev`): Alice validates alone; Alice, Bob, Charlie, Eve, Ferdie and
//!   Alice//stash are registered providers of every kernel.
//! - `local_testnet`: Alice and Bob validate; the same six providers.
//! - `network` (`--chain network`, `scripts/network.sh`): Alice, Bob, Charlie and Dave
//!   validate, each node on its own ports; the same six providers.
//!
//! Every dev account is endowed; Alice is the sudo key.

use crate::{
	units::UNIT, AccountId, BabeConfig, Balance, BalancesConfig, GrandpaConfig, ProvidersConfig,
	RuntimeGenesisConfig, SudoConfig, BABE_GENESIS_EPOCH_CONFIG,
};
use alloc::{format, string::ToString, vec, vec::Vec};
use concord_primitives::kernel::KernelId;
use frame_support::build_struct_json_patch;
use pallet_providers::genesis::GenesisProvider;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each dev account starts with.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;
/// The stake of each preset provider.
pub const PRESET_PROVIDER_STAKE: Balance = 1_000 * UNIT;
/// The price per work unit of each preset provider, in the smallest balance unit.
pub const PRESET_PROVIDER_PRICE: Balance = 1;

/// Authorities with their weights, as BABE and GRANDPA take them at genesis.
type Weighted<Id> = Vec<(Id, u64)>;

/// The validators' keys for the given dev accounts.
fn authorities(
	keys: &[(Sr25519Keyring, Ed25519Keyring)],
) -> (Weighted<BabeId>, Weighted<GrandpaId>) {
	let babe = keys.iter().map(|(sr, _)| (sr.public().into(), 1)).collect();
	let grandpa = keys.iter().map(|(_, ed)| (ed.public().into(), 1)).collect();
	(babe, grandpa)
}

/// A provider of every kernel, listening on its own local ports: `40333 + index`, where the
/// `concord` worker of that account serves results over libp2p in the dev network, and
/// `41333 + index`, its HTTP gateway for the dashboard.
fn preset_provider(account: Sr25519Keyring, index: u16) -> GenesisProvider<AccountId, Balance> {
	GenesisProvider {
		account: account.to_account_id(),
		stake: PRESET_PROVIDER_STAKE,
		backend: "vulkan".to_string(),
		device_name: format!("dev GPU of {account:?}"),
		memory_mib: 4096,
		kernels: KernelId::ALL.iter().map(|kernel| kernel.name().to_string()).collect(),
		max_concurrent_jobs: 4,
		endpoint: format!(
			"/ip4/127.0.0.1/tcp/{},/ip4/127.0.0.1/tcp/{}/http",
			40333 + index,
			41333 + index
		),
		price_per_work_unit: PRESET_PROVIDER_PRICE,
	}
}

fn genesis(
	validators: &[(Sr25519Keyring, Ed25519Keyring)],
	endowed: Vec<AccountId>,
	providers: Vec<GenesisProvider<AccountId, Balance>>,
	root: AccountId,
) -> Value {
	let (babe, grandpa) = authorities(validators);
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|account| (account, ENDOWMENT)).collect(),
		},
		babe: BabeConfig { authorities: babe, epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		grandpa: GrandpaConfig { authorities: grandpa },
		sudo: SudoConfig { key: Some(root) },
		providers: ProvidersConfig { providers },
	})
}

/// Six providers: the draw of a default job (three replicas) needs a pool of six. Dave is
/// left out to be the requester of the examples.
fn dev_providers() -> Vec<GenesisProvider<AccountId, Balance>> {
	[
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
		Sr25519Keyring::AliceStash,
	]
	.into_iter()
	.zip(0..)
	.map(|(account, index)| preset_provider(account, index))
	.collect()
}

/// `--dev`: one validator.
pub fn development_config_genesis() -> Value {
	genesis(
		&[(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect(),
		dev_providers(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// A local network of two validators.
pub fn local_config_genesis() -> Value {
	genesis(
		&[
			(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect(),
		dev_providers(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The id of the four-validator network's preset.
pub const NETWORK_PRESET: &str = "network";

/// A local network of four validators, the fewest with which GRANDPA keeps finalizing while
/// one of them is down (it needs more than two thirds of the voters). Dave's validator keys
/// are not his account: he stays the examples' requester.
pub fn network_config_genesis() -> Value {
	genesis(
		&[
			(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect(),
		dev_providers(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The preset with this id, as JSON.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		NETWORK_PRESET => network_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The ids of every preset.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(NETWORK_PRESET),
	]
}
