//! Workloads: one submission divided into shard jobs that run on many providers, and one
//! commitment to the whole output that any byte of it can be proven against.
//!
//! - [`mod@split`]: each shard's params, input segments and output placement, per kernel;
//! - [`aggregate`]: the merkle root over the shards' (index, result root, size);
//! - [`chunk_proof`]: a 1 KiB chunk of a blob proven against the blob's BLAKE3 hash;
//! - [`byte_proof`]: bytes of the whole output proven against the aggregate root.
//!
//! Pure and `no_std`, so that the runtime checks exactly what clients compute.

pub mod aggregate;
pub mod byte_proof;
pub mod chunk_proof;
pub mod split;

#[cfg(test)]
mod tests;

pub use aggregate::{AggregateError, ShardLeaf};
pub use byte_proof::{ByteProof, ByteProofError, ProvenBytes};
pub use chunk_proof::{ChunkProof, ChunkProofError, CHUNK_LEN};
pub use split::{check, shards, split, Segment, Shard, SplitError};

/// Most shards one workload divides into. A leaf's path to the aggregate root then has at most
/// [`aggregate::MAX_PATH`] hashes.
pub const MAX_SHARDS: u32 = 1024;
