//! A client of any Concord node, over JSON-RPC on a WebSocket.
//!
//! Encoding never drifts from the chain's: calls, extrinsics, events and runtime API results
//! are the runtime crate's own types. The client signs with the node's current runtime version
//! as long as the transaction format is the one it was built for (same `transaction_version`),
//! and refuses to sign once that format changed.

mod keystore;
pub mod names;
mod reads;
mod rpc;
mod signer;
mod submit;

pub use concord_runtime::{
	AccountId, Balance, BlockNumber, Hash, Header, RuntimeCall, RuntimeEvent,
};
pub use keystore::{Keystore, KeystoreArgs};
pub use names::Refusal;
pub use pallet_jobs::{JobId, JobInfoOf};
pub use reads::{NoSuchJob, ProviderInfo};
pub use rpc::PoolRefusal;
pub use signer::Signer;
pub use submit::Included;

/// A job as the chain stores it.
pub type JobInfo = JobInfoOf<concord_runtime::Runtime>;

/// A connection to one node.
pub struct Client {
	rpc: jsonrpsee::ws_client::WsClient,
	genesis: Hash,
}

/// The node's runtime takes transactions in another format than this build encodes: retrying
/// will not help until the node or this build changes.
#[derive(Debug)]
pub struct VersionMismatch {
	pub node: (u32, u32),
	pub ours: (u32, u32),
}

impl std::fmt::Display for VersionMismatch {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"the node runs spec_version {} / transaction_version {}, but this concord was built \
			 for transaction_version {} (spec_version {}): use a concord built from the same \
			 release as the node",
			self.node.0, self.node.1, self.ours.0, self.ours.1
		)
	}
}

impl std::error::Error for VersionMismatch {}

/// The runtime versions this build was compiled with.
pub fn built_for() -> (u32, u32) {
	(concord_runtime::VERSION.spec_version, concord_runtime::VERSION.transaction_version)
}

/// Whether this build can sign for a node whose runtime is at `node` =
/// `(spec_version, transaction_version)`. The runtime bumps `transaction_version` whenever calls
/// or their encoding change, and only `spec_version` for logic changes; so a node on another
/// `spec_version` with our `transaction_version` takes what we encode, signed with its
/// `spec_version`.
pub fn compatible(node: (u32, u32)) -> Result<(), VersionMismatch> {
	let ours = built_for();
	if node.1 == ours.1 {
		Ok(())
	} else {
		Err(VersionMismatch { node, ours })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_upgrade_that_keeps_the_transaction_format_is_signed_for() {
		let (spec, tx) = built_for();
		assert!(compatible((spec, tx)).is_ok());
		assert!(compatible((spec + 1, tx)).is_ok(), "a logic-only upgrade");
		let refused = compatible((spec + 1, tx + 1)).unwrap_err();
		assert_eq!(refused.node, (spec + 1, tx + 1));
		assert!(compatible((spec, tx + 1)).is_err(), "a new transaction format");
	}
}
