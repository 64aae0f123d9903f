//! A client of any Concord node, over JSON-RPC on a WebSocket.
//!
//! Encoding never drifts from the chain's: calls, extrinsics, events and runtime API results
//! are the runtime crate's own types, and the client refuses to sign for a node whose runtime
//! version differs from the one it was built with.

mod reads;
mod rpc;
mod signer;
mod submit;

pub use concord_runtime::{
	AccountId, Balance, BlockNumber, Hash, Header, RuntimeCall, RuntimeEvent,
};
pub use pallet_jobs::{JobId, JobInfoOf};
pub use reads::ProviderInfo;
pub use signer::Signer;
pub use submit::Included;

/// A job as the chain stores it.
pub type JobInfo = JobInfoOf<concord_runtime::Runtime>;

/// A connection to one node.
pub struct Client {
	rpc: jsonrpsee::ws_client::WsClient,
	genesis: Hash,
}

/// The node runs another runtime than this build encodes for: retrying will not help.
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
			 for {} / {}: use a concord built from the same release as the node",
			self.node.0, self.node.1, self.ours.0, self.ours.1
		)
	}
}

impl std::error::Error for VersionMismatch {}

/// The runtime versions this build encodes for: a node on another version may have other
/// calls or types, so the client refuses to sign for it.
pub fn built_for() -> (u32, u32) {
	(concord_runtime::VERSION.spec_version, concord_runtime::VERSION.transaction_version)
}
