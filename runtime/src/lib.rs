//! The Concord runtime: the state-transition function of the Concord chain.
//!
//! Pallets: System, Timestamp, Babe and Grandpa (consensus), Balances, TransactionPayment,
//! Sudo (development governance), Providers (the compute-provider registry) and Jobs (the job
//! market: escrow, random assignment, commit-reveal attestation, settlement). Their
//! configuration lives in [`configs`], the runtime APIs in `apis`, and the genesis presets in
//! [`genesis_config_presets`].
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` need a high recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

/// The wasm of this runtime as its own next version (see [`VERSION`]), for the runtime
/// upgrade test.
#[cfg(feature = "std")]
pub const UPGRADE_REHEARSAL_WASM: Option<&[u8]> = upgrade_rehearsal::WASM_BINARY;
#[cfg(feature = "std")]
mod upgrade_rehearsal {
	#![allow(dead_code)]
	include!(concat!(env!("OUT_DIR"), "/upgrade_rehearsal.rs"));
}

extern crate alloc;

use alloc::vec::Vec;

mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use apis::RuntimeApi;
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_jobs::Call as JobsCall;
pub use pallet_providers::Call as ProvidersCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Primitive types every part of the system shares.
pub mod primitives {
	use super::*;

	/// Block number.
	pub type BlockNumber = u32;
	/// Transaction signature: sr25519, ed25519 or ecdsa, so that every common wallet can sign.
	pub type Signature = MultiSignature;
	/// An account id: the public key of the signing scheme.
	pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
	/// A balance, in the smallest unit (one `CORD` is `10^12` of them).
	pub type Balance = u128;
	/// Transactions sent by an account.
	pub type Nonce = u32;
	/// Hash of blocks and state.
	pub type Hash = sp_core::H256;
}
pub use primitives::*;

mod token;

/// Values shared by the runtime configuration, the genesis presets and the node.
pub mod units {
	use super::{Balance, BlockNumber};

	pub use super::token::{TOKEN_DECIMALS, TOKEN_SYMBOL};
	/// SS58 address prefix: 42 is the generic Substrate prefix, known to every wallet.
	pub const SS58_PREFIX: u16 = 42;

	/// One token.
	pub const UNIT: Balance = (10 as Balance).pow(TOKEN_DECIMALS as u32);
	/// A thousandth of a token.
	pub const MILLI_UNIT: Balance = UNIT / 1_000;
	/// A millionth of a token.
	pub const MICRO_UNIT: Balance = UNIT / 1_000_000;

	/// Target time between blocks. Short, so that a job's verdict comes within seconds.
	pub const MILLI_SECS_PER_BLOCK: u64 = 3_000;
	/// BABE slot length: one block per slot.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	pub const HOURS: BlockNumber = MINUTES * 60;
	pub const DAYS: BlockNumber = HOURS * 24;

	/// BABE epoch length in slots; authorities and randomness rotate per epoch.
	pub const EPOCH_DURATION_IN_SLOTS: u64 = 10 * MINUTES as u64;
}

/// Opaque types, for the parts of the node that need not know the runtime's call types.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The keys a validator holds: BABE for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		pub babe: Babe,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` with every change of runtime logic, and
/// `transaction_version` with every change to calls or their encoding: the `concord` client
/// signs with the node's `spec_version`, and refuses to sign for a `transaction_version` it
/// was not built for.
#[cfg(not(feature = "upgrade-rehearsal"))]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("concord"),
	impl_name: alloc::borrow::Cow::Borrowed("concord-node"),
	authoring_version: 1,
	spec_version: 120,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 3,
	system_version: 1,
};

/// This runtime as its own next version: the same logic and transaction format, one
/// `spec_version` later. The build script compiles it beside the real runtime
/// ([`UPGRADE_REHEARSAL_WASM`]) for the test that upgrades a running chain with
/// `sudo.setCode`. (`#[runtime_version]` reads the numbers as literals, hence the copy; keep
/// it the real version with `spec_version` plus one.)
#[cfg(feature = "upgrade-rehearsal")]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("concord"),
	impl_name: alloc::borrow::Cow::Borrowed("concord-node"),
	authoring_version: 1,
	spec_version: 121,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 3,
	system_version: 1,
};

/// The largest block, in bytes: operational transactions (a runtime upgrade's `set_code`) may
/// fill it, normal ones three quarters of it. The node's block proposer uses the same bound.
pub const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

/// BABE's probability that a slot has a primary author, as (numerator, denominator).
pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);

/// BABE's genesis epoch configuration: secondary VRF slots fill the slots that have no primary
/// author, so that every slot gets a block and every block carries VRF randomness.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: PRIMARY_PROBABILITY,
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The checks every signed transaction goes through: the standard ones, and Concord's own
/// `PrioritizeDuties`, which carries no data, so Polkadot.js Apps and @polkadot/api sign it
/// once told its name (the dashboard declares it as a signed extension with no payload).
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_jobs::PrioritizeDuties<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
);
/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on a runtime upgrade. Each runs only on a chain at the storage
/// version it migrates from, so a chain started with this runtime skips them.
type Migrations = (
	pallet_providers::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_providers::migrations::v4::MigrateV3ToV4<Runtime>,
	pallet_providers::migrations::v5::MigrateV4ToV5<Runtime>,
	pallet_jobs::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_jobs::migrations::v4::MigrateV3ToV4<Runtime>,
	// After the registry's step to version 5, which adds the count it moves slots to.
	pallet_jobs::migrations::v5::MigrateV4ToV5<Runtime>,
);

/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(10)]
	pub type Providers = pallet_providers;

	#[runtime::pallet_index(11)]
	pub type Jobs = pallet_jobs;
}
