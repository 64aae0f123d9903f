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
pub use signer::Signer;
pub use submit::Included;

/// A job as the chain stores it.
pub type JobInfo = JobInfoOf<concord_runtime::Runtime>;

/// A connection to one node.
pub struct Client {
	rpc: jsonrpsee::ws_client::WsClient,
	genesis: Hash,
}

/// The runtime versions this build encodes for: a node on another version may have other
/// calls or types, so the client refuses to sign for it.
pub fn built_for() -> (u32, u32) {
	(concord_runtime::VERSION.spec_version, concord_runtime::VERSION.transaction_version)
}
