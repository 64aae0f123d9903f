//! The data plane: blobs of any size up to 4 GiB, named by their BLAKE3 root and size, moved
//! between peers in pieces of 1 MiB over `/concord/blob/4` and verified in groups of 16 KiB
//! against the root before any byte reaches the disk, from every source at once. Memory is
//! bounded by the pieces in flight, never by the blob. A job's remote input travels this way,
//! from its requester to each provider, and its output from every provider that agreed on it
//! to whoever holds a grant to read it.

mod access;
mod fetch;
mod grant;
mod serve;
mod serving;
mod store;
mod tree;
mod wire;

pub use access::Access;
pub use fetch::{
	fetch, fetch_granted, probe, FetchError, Fetched, Limits, SourceReport, KEEP_FREE,
	PROBED_PIECES,
};
pub use grant::{wallet_wrapped, Grant};
pub use serve::serve;
pub use serving::Serving;
pub(crate) use store::remove_if_there;
pub use store::{Held, Store};
pub use tree::{BlobRef, MAX_BLOB_BYTES, MAX_ENCODED_PIECE, PIECE_BYTES};
pub use wire::{
	dial_opts, swarm, Answer, PieceRequest, BUSY_BACKOFF, IN_FLIGHT, IN_FLIGHT_ALL_SOURCES,
	MAX_ANSWERS, MAX_CONNECTIONS, MAX_STREAMS, PROTOCOL, STALL_TIMEOUT,
};

#[cfg(test)]
mod tests;
