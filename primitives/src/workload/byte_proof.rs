//! Proofs that bytes sit at a given offset of a workload's whole output, checked against the
//! workload's aggregate root alone: the shard's leaf and its path to the aggregate, then a
//! chunk of the shard's output and its path to the shard's root. The split rule says where the
//! shard's output lands, so nothing in the proof can move the bytes elsewhere.

use super::{
	aggregate::{self, AggregateError, ShardLeaf},
	chunk_proof::{self, ChunkProof, ChunkProofError, CHUNK_LEN},
	split::{split, SplitError},
};
use crate::kernel::KernelId;
use bounded_collections::{BoundedVec, ConstU32};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// A chunk of one shard's output, tied to the workload's aggregate root.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct ByteProof {
	/// The shard's leaf in the aggregate.
	pub leaf: ShardLeaf,
	/// The leaf's path to the aggregate root ([`aggregate::path`]).
	pub leaf_path: BoundedVec<[u8; 32], ConstU32<{ aggregate::MAX_PATH }>>,
	/// The chunk of the shard's output and its path to the shard's root.
	pub chunk: ChunkProof,
}

/// Bytes a proof showed to be at `offset` of the workload's output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ProvenBytes<'a> {
	pub offset: u64,
	pub bytes: &'a [u8],
}

impl ProvenBytes<'_> {
	/// Whether `claimed` is what sits at `offset` of the workload's output, as far as these
	/// bytes show: the whole claim must lie inside them. An empty claim confirms nothing.
	pub fn confirm(&self, offset: u64, claimed: &[u8]) -> bool {
		if claimed.is_empty() {
			return false;
		}
		let Some(start) = offset.checked_sub(self.offset) else { return false };
		let Ok(start) = usize::try_from(start) else { return false };
		start
			.checked_add(claimed.len())
			.and_then(|end| self.bytes.get(start..end))
			.is_some_and(|proven| proven == claimed)
	}
}

/// Why a byte proof does not hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ByteProofError {
	/// The workload itself, or the leaf's index, does not split.
	Split(SplitError),
	/// The split rule gives shard `index` an output of `expected` bytes, the leaf says `got`.
	WrongShardSize { index: u32, expected: u64, got: u64 },
	/// The leaf is not in the aggregate.
	Aggregate(AggregateError),
	/// The chunk is not in the shard's output.
	Chunk(ChunkProofError),
}

impl fmt::Display for ByteProofError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			ByteProofError::Split(e) => write!(f, "{e}"),
			ByteProofError::WrongShardSize { index, expected, got } => {
				write!(f, "shard {index}'s output is {expected} bytes, the proof says {got}")
			}
			ByteProofError::Aggregate(e) => write!(f, "{e}"),
			ByteProofError::Chunk(e) => write!(f, "{e}"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ByteProofError {}

/// Checks `proof` against the aggregate `root` of `kernel` with `params` split into `shards`,
/// and says which bytes of the workload's output it shows.
pub fn verify<'a>(
	root: &[u8; 32],
	kernel: KernelId,
	params: &[u32],
	shards: u32,
	proof: &'a ByteProof,
) -> Result<ProvenBytes<'a>, ByteProofError> {
	let shard = split(kernel, params, shards, proof.leaf.index).map_err(ByteProofError::Split)?;
	if proof.leaf.size != shard.output.len {
		return Err(ByteProofError::WrongShardSize {
			index: proof.leaf.index,
			expected: shard.output.len,
			got: proof.leaf.size,
		});
	}
	aggregate::verify(root, kernel, params, shards, &proof.leaf, &proof.leaf_path)
		.map_err(ByteProofError::Aggregate)?;
	chunk_proof::verify(&proof.leaf.root, proof.leaf.size, &proof.chunk)
		.map_err(ByteProofError::Chunk)?;
	// The chunk is inside the shard's output (checked), which is inside the workload's.
	let offset = shard.output.offset.saturating_add(proof.chunk.chunk.saturating_mul(CHUNK_LEN));
	Ok(ProvenBytes { offset, bytes: &proof.chunk.bytes })
}

/// The proof for the chunk holding byte `offset` of shard `index`'s output, given every shard's
/// leaf and that shard's output; `None` if there is no such shard or byte. The workload's
/// kernel and params are not needed: the verifier brings them.
pub fn prove(
	leaves: &[ShardLeaf],
	index: u32,
	shard_output: &[u8],
	offset: u64,
) -> Option<ByteProof> {
	let leaf = *leaves.get(usize::try_from(index).ok()?)?;
	let leaf_path = aggregate::path(leaves, index).ok()?.try_into().ok()?;
	let chunk = chunk_proof::prove(shard_output, offset / CHUNK_LEN)?;
	Some(ByteProof { leaf, leaf_path, chunk })
}
