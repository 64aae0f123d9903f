//! One commitment to a workload's whole output: a binary merkle tree over its shards' leaves,
//! each the shard's index, result root (the BLAKE3 hash its providers attested) and output size,
//! bound to the workload it divides (kernel, params, shard count).
//!
//! The binding matters: where a shard's bytes land is the split rule's answer for that
//! workload, and one tree's path can also fit a tree of another width, so a root that did not
//! name the workload would let a proof be read against another split and put its bytes at
//! another offset. Leaves, inner nodes and the root hash under different one-byte tags (`0x00`,
//! `0x01`, `0x02`), so none passes for another. A level of odd width carries its last node up
//! unchanged. Blake2-256, which the runtime has natively.

use crate::kernel::KernelId;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;
use sp_crypto_hashing::blake2_256;

const LEAF_TAG: u8 = 0x00;
const NODE_TAG: u8 = 0x01;
const ROOT_TAG: u8 = 0x02;

/// Most levels a proof can climb: a `u32` count of leaves.
const MAX_LEVELS: usize = 32;

/// Most hashes on a leaf's path in a workload: `ceil(log2(MAX_SHARDS))`.
pub const MAX_PATH: u32 = 10;

/// What the aggregate commits to for one shard.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct ShardLeaf {
	pub index: u32,
	/// BLAKE3 of the shard's output: the result hash its quorum attested.
	pub root: [u8; 32],
	/// The shard's output length in bytes.
	pub size: u64,
}

impl ShardLeaf {
	/// The leaf's hash: `blake2_256(0x00 ‖ SCALE(index, root, size))`.
	pub fn hash(&self) -> [u8; 32] {
		let mut bytes = [0u8; 1 + 4 + 32 + 8];
		bytes[0] = LEAF_TAG;
		bytes[1..5].copy_from_slice(&self.index.to_le_bytes());
		bytes[5..37].copy_from_slice(&self.root);
		bytes[37..].copy_from_slice(&self.size.to_le_bytes());
		blake2_256(&bytes)
	}
}

fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
	let mut bytes = [0u8; 1 + 32 + 32];
	bytes[0] = NODE_TAG;
	bytes[1..33].copy_from_slice(left);
	bytes[33..].copy_from_slice(right);
	blake2_256(&bytes)
}

/// Why leaves or a leaf's path do not give the aggregate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AggregateError {
	/// A workload has at least one shard.
	NoLeaves,
	/// Leaf `position` carries index `index`: leaves come in index order from 0.
	OutOfOrder { position: u32, index: u32 },
	/// Leaf `index` does not exist among `leaves` leaves.
	NoSuchLeaf { index: u32, leaves: u32 },
	/// The path has `got` hashes; leaf `index` of `leaves` needs `expected`.
	WrongPathLength { expected: u32, got: u32 },
	/// The leaf and its path hash to another root.
	RootMismatch,
}

impl fmt::Display for AggregateError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match *self {
			AggregateError::NoLeaves => write!(f, "an aggregate needs at least one shard"),
			AggregateError::OutOfOrder { position, index } => {
				write!(f, "leaf {position} carries index {index}: leaves come in index order")
			}
			AggregateError::NoSuchLeaf { index, leaves } => {
				write!(f, "leaf {index} does not exist among {leaves}")
			}
			AggregateError::WrongPathLength { expected, got } => {
				write!(f, "the path has {got} hashes, the leaf needs {expected}")
			}
			AggregateError::RootMismatch => write!(f, "the leaf does not hash to the aggregate"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for AggregateError {}

fn check_order(leaves: &[ShardLeaf]) -> Result<(), AggregateError> {
	if leaves.is_empty() {
		return Err(AggregateError::NoLeaves);
	}
	for (position, leaf) in leaves.iter().enumerate() {
		let position = u32::try_from(position).unwrap_or(u32::MAX);
		if leaf.index != position {
			return Err(AggregateError::OutOfOrder { position, index: leaf.index });
		}
	}
	Ok(())
}

/// Every level of the tree, leaves first, root last.
fn levels(leaves: &[ShardLeaf]) -> Result<Vec<Vec<[u8; 32]>>, AggregateError> {
	check_order(leaves)?;
	let mut levels = Vec::new();
	let mut level: Vec<[u8; 32]> = leaves.iter().map(ShardLeaf::hash).collect();
	while level.len() > 1 {
		let up = level
			.chunks(2)
			.map(|pair| match pair {
				[left, right] => node(left, right),
				[last] => *last,
				// `chunks(2)` yields one or two, never anything else.
				_ => [0u8; 32],
			})
			.collect();
		levels.push(core::mem::replace(&mut level, up));
	}
	levels.push(level);
	Ok(levels)
}

/// The tree's top bound to the workload: `blake2_256(0x02 ‖ SCALE(kernel, params, shards,
/// top))`.
fn bind(kernel: KernelId, params: &[u32], shards: u32, top: &[u8; 32]) -> [u8; 32] {
	blake2_256(&(ROOT_TAG, kernel, params, shards, top).encode())
}

/// The aggregate root of the workload `kernel` with `params` whose shards' leaves are
/// `leaves`, in index order from 0.
pub fn root(
	kernel: KernelId,
	params: &[u32],
	leaves: &[ShardLeaf],
) -> Result<[u8; 32], AggregateError> {
	let levels = levels(leaves)?;
	let top = levels.last().and_then(|top| top.first()).ok_or(AggregateError::NoLeaves)?;
	Ok(bind(kernel, params, u32::try_from(leaves.len()).unwrap_or(u32::MAX), top))
}

/// The path that proves leaf `index` against the root of `leaves`: its siblings, leaf level
/// first, skipping levels where the leaf's node had none.
pub fn path(leaves: &[ShardLeaf], index: u32) -> Result<Vec<[u8; 32]>, AggregateError> {
	let levels = levels(leaves)?;
	let count = u32::try_from(leaves.len()).unwrap_or(u32::MAX);
	if index >= count {
		return Err(AggregateError::NoSuchLeaf { index, leaves: count });
	}
	let mut position = index as usize;
	let mut path = Vec::new();
	for level in &levels[..levels.len() - 1] {
		if let Some(sibling) = level.get(position ^ 1) {
			path.push(*sibling);
		}
		position /= 2;
	}
	Ok(path)
}

/// Checks that `leaf` is leaf `leaf.index` of the workload `kernel` with `params` in `leaves`
/// shards, whose aggregate is `root`.
pub fn verify(
	root: &[u8; 32],
	kernel: KernelId,
	params: &[u32],
	leaves: u32,
	leaf: &ShardLeaf,
	path: &[[u8; 32]],
) -> Result<(), AggregateError> {
	if leaf.index >= leaves {
		return Err(AggregateError::NoSuchLeaf { index: leaf.index, leaves });
	}
	let (mut position, mut width, mut used) = (leaf.index, leaves, 0usize);
	let mut hash = leaf.hash();
	let mut levels = 0;
	while width > 1 && levels < MAX_LEVELS {
		let sibling = position ^ 1;
		if sibling < width {
			let Some(sibling_hash) = path.get(used) else {
				return Err(wrong_length(leaves, leaf.index, path));
			};
			hash = if position % 2 == 0 {
				node(&hash, sibling_hash)
			} else {
				node(sibling_hash, &hash)
			};
			used += 1;
		}
		position /= 2;
		width = width.div_ceil(2);
		levels += 1;
	}
	if used != path.len() {
		return Err(wrong_length(leaves, leaf.index, path));
	}
	if &bind(kernel, params, leaves, &hash) == root {
		Ok(())
	} else {
		Err(AggregateError::RootMismatch)
	}
}

fn wrong_length(leaves: u32, index: u32, path: &[[u8; 32]]) -> AggregateError {
	AggregateError::WrongPathLength {
		expected: path_length(leaves, index),
		got: u32::try_from(path.len()).unwrap_or(u32::MAX),
	}
}

/// How many siblings leaf `index` of `leaves` has on its way to the root.
fn path_length(leaves: u32, index: u32) -> u32 {
	let (mut position, mut width, mut length) = (index, leaves, 0);
	while width > 1 {
		if position ^ 1 < width {
			length += 1;
		}
		position /= 2;
		width = width.div_ceil(2);
	}
	length
}
