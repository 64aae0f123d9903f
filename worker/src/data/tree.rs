//! A blob's identity and geometry: its BLAKE3 root (what `b3sum` prints) and its size, cut
//! into pieces of 1 MiB that are each verified in 16 KiB groups against the root.

use bao_tree::{io::sync::CreateOutboard, BaoTree, BlockSize, ChunkNum, ChunkRanges};
use codec::{Decode, Encode};
use std::{fmt, fs::File, io, path::Path};

/// A chunk group, the unit one hash of the outboard covers: 16 KiB, so the outboard is 64
/// bytes per 16 KiB (0.39 % of the blob) and a flipped bit costs at most 16 KiB of a piece.
pub const GROUP: BlockSize = BlockSize::from_chunk_log(4);

/// The bytes of a piece, the unit asked for in one request and recorded as held.
pub const PIECE_BYTES: u64 = 1 << 20;

/// BLAKE3 chunks (1 KiB) in a piece.
const PIECE_CHUNKS: u64 = PIECE_BYTES / 1024;

/// The largest blob: the largest input a kernel can take (a sha256 batch of 2^32 bytes).
pub const MAX_BLOB_BYTES: u64 = 1 << 32;

/// The largest encoded piece: its bytes, the 63 hash pairs inside it and one for each of
/// the 12 levels above a piece in a blob of [`MAX_BLOB_BYTES`], with room to spare.
pub const MAX_ENCODED_PIECE: u64 = PIECE_BYTES + 8 * 1024;

/// A blob: the BLAKE3 root of its bytes and how many there are. A root without its size
/// names nothing here: the tree, and so every proof, depends on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct BlobRef {
	pub root: [u8; 32],
	pub size: u64,
}

impl BlobRef {
	/// How many pieces the blob has (none when it is empty).
	pub fn pieces(&self) -> u64 {
		self.size.div_ceil(PIECE_BYTES)
	}

	/// The bytes of piece `piece` (the last one may be short).
	pub fn piece_len(&self, piece: u64) -> u64 {
		self.size.saturating_sub(piece.saturating_mul(PIECE_BYTES)).min(PIECE_BYTES)
	}

	/// The blob's hash tree, in groups of `GROUP`.
	pub fn tree(&self) -> BaoTree {
		BaoTree::new(self.size, GROUP)
	}

	/// The root as the hash library takes it.
	pub fn hash(&self) -> bao_tree::blake3::Hash {
		bao_tree::blake3::Hash::from_bytes(self.root)
	}

	/// The root in hex, the name of the blob's files in a store.
	pub fn hex(&self) -> String {
		hex::encode(self.root)
	}

	/// Whether a peer may ask for or serve it at all.
	pub fn within_limits(&self) -> bool {
		self.size <= MAX_BLOB_BYTES
	}
}

impl fmt::Display for BlobRef {
	/// `0x<root>:<size>`, what `concord blob add` prints and `concord blob fetch` reads.
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "0x{}:{}", self.hex(), self.size)
	}
}

impl std::str::FromStr for BlobRef {
	type Err = anyhow::Error;

	fn from_str(text: &str) -> anyhow::Result<BlobRef> {
		let (root, size) = text
			.split_once(':')
			.ok_or_else(|| anyhow::anyhow!("a blob is 0x<64 hex digits of its root>:<size>"))?;
		let mut bytes = [0u8; 32];
		hex::decode_to_slice(root.strip_prefix("0x").unwrap_or(root), &mut bytes)
			.map_err(|e| anyhow::anyhow!("the root {root:?} is not 64 hex digits: {e}"))?;
		let size = size.parse().map_err(|e| anyhow::anyhow!("the size {size:?}: {e}"))?;
		let blob = BlobRef { root: bytes, size };
		anyhow::ensure!(
			blob.within_limits(),
			"{size} bytes is over the {MAX_BLOB_BYTES} a blob may have"
		);
		Ok(blob)
	}
}

/// The chunks of piece `piece`, as a request names them. The last piece's range runs past
/// the blob's end, which the encoder and the decoder read as up to the end. (A range wholly
/// past the end reads as the last chunk: nobody asks for or writes a piece past
/// [`BlobRef::pieces`].)
pub fn piece_ranges(piece: u64) -> ChunkRanges {
	let start = piece.saturating_mul(PIECE_CHUNKS);
	ChunkRanges::from(ChunkNum(start)..ChunkNum(start.saturating_add(PIECE_CHUNKS)))
}

/// The pre-order outboard of `data` written to `outboard`, reading `data` once from start to
/// end (memory stays at a few groups whatever its size). Returns the blob it holds.
pub fn import(data: &Path, outboard: &Path) -> io::Result<BlobRef> {
	let size = std::fs::metadata(data)?.len();
	if size > MAX_BLOB_BYTES {
		return Err(io::Error::new(
			io::ErrorKind::InvalidInput,
			format!(
				"{} is {size} bytes, over the {MAX_BLOB_BYTES} a blob may have",
				data.display()
			),
		));
	}
	let tree = BaoTree::new(size, GROUP);
	let file = File::create(outboard)?;
	file.set_len(tree.outboard_size())?;
	let mut hashes = bao_tree::io::outboard::PreOrderOutboard {
		root: bao_tree::blake3::hash(&[]),
		tree,
		data: file,
	};
	let reader = io::BufReader::with_capacity(1 << 16, File::open(data)?);
	hashes.init_from(reader)?;
	hashes.data.sync_all()?;
	Ok(BlobRef { root: *hashes.root.as_bytes(), size })
}

#[cfg(test)]
mod tests {
	use super::*;

	fn random(len: usize) -> Vec<u8> {
		let mut bytes = vec![0u8; len];
		getrandom::getrandom(&mut bytes).unwrap();
		bytes
	}

	/// The root is plain BLAKE3 of the bytes, as `b3sum` prints it, at every size around the
	/// group and piece boundaries.
	#[test]
	fn the_root_is_the_blake3_hash_of_the_bytes() {
		let dir = tempfile::tempdir().unwrap();
		for len in [0, 1, 1024, 16 * 1024 + 1, PIECE_BYTES as usize - 1, PIECE_BYTES as usize + 1] {
			let bytes = random(len);
			let (data, outboard) = (dir.path().join("data"), dir.path().join("obao"));
			std::fs::write(&data, &bytes).unwrap();
			let blob = import(&data, &outboard).unwrap();
			assert_eq!(blob.root, *bao_tree::blake3::hash(&bytes).as_bytes(), "{len} bytes");
			assert_eq!(blob.size, len as u64);
			assert_eq!(std::fs::metadata(&outboard).unwrap().len(), blob.tree().outboard_size());
		}
	}

	#[test]
	fn pieces_cover_the_blob_and_no_more() {
		let blob = |size| BlobRef { root: [0; 32], size };
		assert_eq!(blob(0).pieces(), 0);
		assert_eq!((blob(1).pieces(), blob(1).piece_len(0)), (1, 1));
		assert_eq!(blob(PIECE_BYTES - 1).pieces(), 1);
		assert_eq!(blob(PIECE_BYTES).pieces(), 1);
		let over = blob(PIECE_BYTES + 1);
		assert_eq!((over.pieces(), over.piece_len(0), over.piece_len(1)), (2, PIECE_BYTES, 1));
		let largest = blob(MAX_BLOB_BYTES);
		assert_eq!(largest.pieces(), 4096);
		assert_eq!(largest.piece_len(4095), PIECE_BYTES);
		assert!(largest.within_limits() && !blob(MAX_BLOB_BYTES + 1).within_limits());
		// 64 B of hashes per 16 KiB group.
		assert_eq!(blob(16 * PIECE_BYTES).tree().outboard_size(), (16 * 64 - 1) * 64);
	}

	#[test]
	fn a_blob_is_written_and_read_as_root_and_size() {
		let blob = BlobRef { root: [0xab; 32], size: 1_048_699 };
		let text = blob.to_string();
		assert_eq!(text, format!("0x{}:1048699", "ab".repeat(32)));
		assert_eq!(text.parse::<BlobRef>().unwrap(), blob);
		assert!("0xab:12".parse::<BlobRef>().is_err(), "a short root");
		assert!(format!("0x{}", "ab".repeat(32)).parse::<BlobRef>().is_err(), "no size");
		let huge = format!("0x{}:{}", "ab".repeat(32), MAX_BLOB_BYTES + 1);
		assert!(huge.parse::<BlobRef>().unwrap_err().to_string().contains("over the"));
	}
}
