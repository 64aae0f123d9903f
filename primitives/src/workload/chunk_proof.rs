//! Proofs that a 1 KiB chunk of bytes sits at a given place in a blob whose BLAKE3 hash (the
//! result hash providers attest) is known, without the rest of the blob.
//!
//! BLAKE3 hashes a blob as a binary tree of 1 KiB chunks: a node over more than one chunk puts
//! the largest power of two of chunks that leaves the right side non-empty on its left. A proof
//! is the chunk's bytes and the chaining values of the siblings on the path to the root, from
//! the chunk up. The verifier checks every length and index itself before it touches
//! `blake3::hazmat`, which asserts on misuse, so no input makes it panic.
//!
//! The blob's size is an input, not something a proof shows: a proof of any chunk but the last
//! also holds for sizes that give the same tree path. The size must come from a commitment
//! (a workload's aggregate commits to each shard's output size, which the split rule fixes).

use alloc::vec::Vec;
use blake3::hazmat::{merge_subtrees_non_root, merge_subtrees_root, HasherExt, Mode};
use bounded_collections::{BoundedVec, ConstU32};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// BLAKE3's chunk: the leaf of its tree, and the unit a chunk proof proves.
pub const CHUNK_LEN: u64 = 1024;

/// Depth of the deepest BLAKE3 tree over a blob of at most `u64::MAX` bytes: 2^54 chunks.
pub const MAX_DEPTH: u32 = 54;

/// A chunk of a blob and the chaining values that tie it to the blob's hash.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct ChunkProof {
	/// Which chunk: its bytes start at `chunk * CHUNK_LEN` in the blob.
	pub chunk: u64,
	/// The chunk's bytes: `CHUNK_LEN`, or fewer for the blob's last chunk.
	pub bytes: BoundedVec<u8, ConstU32<{ CHUNK_LEN as u32 }>>,
	/// Chaining values of the siblings on the chunk's path to the root, the chunk's first.
	pub siblings: BoundedVec<[u8; 32], ConstU32<MAX_DEPTH>>,
}

/// Why a chunk proof does not hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChunkProofError {
	/// An empty blob has no chunk to prove.
	EmptyBlob,
	/// The blob of `size` bytes has no chunk `chunk`.
	NoSuchChunk { chunk: u64, size: u64 },
	/// Chunk `chunk` of this blob is `expected` bytes long.
	WrongChunkLength { expected: u64, got: u64 },
	/// The chunk's path to the root has `expected` siblings.
	WrongPathLength { expected: u32, got: u32 },
	/// The bytes and siblings hash to another root.
	RootMismatch,
}

impl fmt::Display for ChunkProofError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match *self {
			ChunkProofError::EmptyBlob => write!(f, "an empty blob has no chunk to prove"),
			ChunkProofError::NoSuchChunk { chunk, size } => {
				write!(f, "a blob of {size} bytes has no chunk {chunk}")
			}
			ChunkProofError::WrongChunkLength { expected, got } => {
				write!(f, "the chunk is {got} bytes, it must be {expected}")
			}
			ChunkProofError::WrongPathLength { expected, got } => {
				write!(f, "the proof has {got} siblings, the chunk's path has {expected}")
			}
			ChunkProofError::RootMismatch => write!(f, "the chunk does not hash to the root"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ChunkProofError {}

/// Bytes in the left child of a BLAKE3 node over `len > CHUNK_LEN` bytes: the largest power of
/// two of chunks that leaves at least one byte to the right.
fn left_len(len: u64) -> u64 {
	let chunks = len.div_ceil(CHUNK_LEN);
	let left_chunks = 1u64 << (u64::BITS - 1 - (chunks - 1).leading_zeros());
	left_chunks * CHUNK_LEN
}

/// The path from the root of a blob of `size` bytes down to the chunk at `offset`: at each
/// level, the sibling's byte range and whether the chunk's side is the left one. Root first.
struct Path {
	levels: [(bool, u64, u64); MAX_DEPTH as usize],
	depth: usize,
}

impl Path {
	fn to(size: u64, offset: u64) -> Path {
		let mut path = Path { levels: [(false, 0, 0); MAX_DEPTH as usize], depth: 0 };
		let (mut start, mut len) = (0u64, size);
		while len > CHUNK_LEN && path.depth < MAX_DEPTH as usize {
			let left = left_len(len);
			let level = if offset < start + left {
				let level = (true, start + left, len - left);
				len = left;
				level
			} else {
				let level = (false, start, left);
				start += left;
				len -= left;
				level
			};
			path.levels[path.depth] = level;
			path.depth += 1;
		}
		path
	}

	/// Root first.
	fn levels(&self) -> &[(bool, u64, u64)] {
		&self.levels[..self.depth]
	}
}

/// The chaining value of the subtree over `bytes`, which start at `offset` of the blob.
fn subtree_cv(offset: u64, bytes: &[u8]) -> [u8; 32] {
	let mut hasher = blake3::Hasher::new();
	hasher.set_input_offset(offset);
	hasher.update(bytes);
	hasher.finalize_non_root()
}

/// Checks `proof` against a blob of `size` bytes whose BLAKE3 hash is `root`.
pub fn verify(root: &[u8; 32], size: u64, proof: &ChunkProof) -> Result<(), ChunkProofError> {
	if size == 0 {
		return Err(ChunkProofError::EmptyBlob);
	}
	let chunks = size.div_ceil(CHUNK_LEN);
	if proof.chunk >= chunks {
		return Err(ChunkProofError::NoSuchChunk { chunk: proof.chunk, size });
	}
	let offset = proof.chunk * CHUNK_LEN;
	let expected = (size - offset).min(CHUNK_LEN);
	let got = proof.bytes.len() as u64;
	if got != expected {
		return Err(ChunkProofError::WrongChunkLength { expected, got });
	}
	let path = Path::to(size, offset);
	if proof.siblings.len() != path.depth {
		return Err(ChunkProofError::WrongPathLength {
			expected: path.depth as u32,
			got: u32::try_from(proof.siblings.len()).unwrap_or(u32::MAX),
		});
	}
	let hash = if path.depth == 0 {
		// A one-chunk blob: its chunk is the root.
		*blake3::hash(&proof.bytes).as_bytes()
	} else {
		// Non-empty and aligned (checked above), so hazmat's assertions hold.
		let mut cv = subtree_cv(offset, &proof.bytes);
		let mut hash = [0u8; 32];
		let top = path.depth - 1;
		let levels = path.levels().iter().rev().zip(&proof.siblings).enumerate();
		for (height, (&(ours_is_left, _, _), sibling)) in levels {
			let (left, right) = if ours_is_left { (&cv, sibling) } else { (sibling, &cv) };
			if height == top {
				hash = *merge_subtrees_root(left, right, Mode::Hash).as_bytes();
			} else {
				cv = merge_subtrees_non_root(left, right, Mode::Hash);
			}
		}
		hash
	};
	if &hash == root {
		Ok(())
	} else {
		Err(ChunkProofError::RootMismatch)
	}
}

/// The proof of chunk `chunk` of `blob`; `None` if the blob has no such chunk.
pub fn prove(blob: &[u8], chunk: u64) -> Option<ChunkProof> {
	let size = blob.len() as u64;
	let offset = chunk.checked_mul(CHUNK_LEN).filter(|offset| *offset < size)?;
	let path = Path::to(size, offset);
	let slice = |start: u64, len: u64| &blob[start as usize..(start + len) as usize];
	let siblings: Vec<[u8; 32]> = path
		.levels()
		.iter()
		.rev()
		.map(|&(_, start, len)| subtree_cv(start, slice(start, len)))
		.collect();
	let bytes = slice(offset, (size - offset).min(CHUNK_LEN)).to_vec();
	// At most `MAX_DEPTH` siblings and `CHUNK_LEN` bytes, by the tree's shape.
	Some(ChunkProof { chunk, bytes: bytes.try_into().ok()?, siblings: siblings.try_into().ok()? })
}
