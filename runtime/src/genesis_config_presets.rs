//! Genesis presets: the initial state of a development chain and of a local test network.
//!
//! - `development` (`--dev`): Alice validates alone; the twelve providers of
//!   `runtime/dev-providers.txt` are registered providers of every kernel.
//! - `local_testnet`: Alice and Bob validate; the same providers.
//! - `network` (`--chain network`, `scripts/network.sh`): Alice, Bob, Charlie and Dave
//!   validate, each node on its own ports; the same providers.
//!
//! Every dev account and every provider is endowed; Alice is the sudo key.

use crate::{
	units::UNIT, AccountId, BabeConfig, Balance, BalancesConfig, GrandpaConfig, ProvidersConfig,
	RuntimeGenesisConfig, SudoConfig, BABE_GENESIS_EPOCH_CONFIG,
};
use alloc::{
	format,
	string::{String, ToString},
	vec,
	vec::Vec,
};
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

/// The development chains' providers: the dev account's name, the port of its libp2p endpoint
/// and the port of its HTTP gateway, one per line (the scripts and tests read the same file).
pub const DEV_PROVIDERS: &str = include_str!("../dev-providers.txt");

/// One line of [`DEV_PROVIDERS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DevProvider {
	pub account: Sr25519Keyring,
	pub p2p_port: u16,
	pub http_port: u16,
}

/// What is wrong with a line of a dev providers' list: the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadDevProvider {
	/// Not a dev account's name (as the keyring spells it, `Alice//stash`) and two ports.
	Unreadable(String),
	/// An account or a port listed twice.
	Repeated(String),
	/// Dave or his stash: the examples' requesters, who are no providers.
	Requester(String),
}

/// The providers [`DEV_PROVIDERS`] lists, in its order.
pub fn dev_topology() -> Result<Vec<DevProvider>, BadDevProvider> {
	parse_dev_topology(DEV_PROVIDERS)
}

/// The providers a list in the form of [`DEV_PROVIDERS`] names (comments and blank lines
/// skipped): each line a dev account's name and two ports, no account or port twice.
pub fn parse_dev_topology(list: &str) -> Result<Vec<DevProvider>, BadDevProvider> {
	let mut providers: Vec<DevProvider> = Vec::new();
	for line in list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
		let unreadable = || BadDevProvider::Unreadable(line.to_string());
		let fields: Vec<&str> = line.split_whitespace().collect();
		let [name, p2p_port, http_port] = fields[..] else { return Err(unreadable()) };
		// The keyring also reads `alice`, whose key the scripts would spell `//alice`.
		let account: Sr25519Keyring = name.parse().map_err(|_| unreadable())?;
		if <&'static str>::from(account) != name {
			return Err(unreadable());
		}
		let port = |field: &str| field.parse::<u16>().map_err(|_| unreadable());
		let provider =
			DevProvider { account, p2p_port: port(p2p_port)?, http_port: port(http_port)? };
		if matches!(account, Sr25519Keyring::Dave | Sr25519Keyring::DaveStash) {
			return Err(BadDevProvider::Requester(line.to_string()));
		}
		let ports = [provider.p2p_port, provider.http_port];
		let taken = |p: &DevProvider| [p.p2p_port, p.http_port].iter().any(|q| ports.contains(q));
		if provider.p2p_port == provider.http_port
			|| providers.iter().any(|p| p.account == account || taken(p))
		{
			return Err(BadDevProvider::Repeated(line.to_string()));
		}
		providers.push(provider);
	}
	Ok(providers)
}

/// A provider of every kernel, listening on its own local ports: where the `concord` worker of
/// that account serves results over libp2p, and its HTTP gateway for the dashboard.
fn preset_provider(provider: DevProvider) -> GenesisProvider<AccountId, Balance> {
	let DevProvider { account, p2p_port, http_port } = provider;
	GenesisProvider {
		account: account.to_account_id(),
		stake: PRESET_PROVIDER_STAKE,
		backend: "vulkan".to_string(),
		device_name: format!("dev GPU of {account:?}"),
		memory_mib: 4096,
		kernels: KernelId::ALL.iter().map(|kernel| kernel.name().to_string()).collect(),
		max_concurrent_jobs: 4,
		endpoint: format!("/ip4/127.0.0.1/tcp/{p2p_port},/ip4/127.0.0.1/tcp/{http_port}/http"),
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

/// The providers of [`DEV_PROVIDERS`]; a line it cannot read is a bug of this repository,
/// caught by every test that starts a dev chain.
fn dev_providers() -> Vec<DevProvider> {
	dev_topology().expect("runtime/dev-providers.txt lists dev accounts and their two ports")
}

/// Every well-known dev account and every dev provider.
fn endowed() -> Vec<AccountId> {
	let mut endowed: Vec<AccountId> =
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect();
	for provider in dev_providers() {
		let account = provider.account.to_account_id();
		if !endowed.contains(&account) {
			endowed.push(account);
		}
	}
	endowed
}

/// The genesis of a development chain validated by `validators`.
fn dev_genesis(validators: &[(Sr25519Keyring, Ed25519Keyring)]) -> Value {
	genesis(
		validators,
		endowed(),
		dev_providers().into_iter().map(preset_provider).collect(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `--dev`: one validator.
pub fn development_config_genesis() -> Value {
	dev_genesis(&[(Sr25519Keyring::Alice, Ed25519Keyring::Alice)])
}

/// A local network of two validators.
pub fn local_config_genesis() -> Value {
	dev_genesis(&[
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
	])
}

/// The id of the four-validator network's preset.
pub const NETWORK_PRESET: &str = "network";

/// A local network of four validators, the fewest with which GRANDPA keeps finalizing while
/// one of them is down (it needs more than two thirds of the voters). Dave's validator keys
/// are not his account: he stays the examples' requester.
pub fn network_config_genesis() -> Value {
	dev_genesis(&[
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	])
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
