//! A directory of blobs, each under `<hex root>-<size>` (so a request naming the right root
//! with the wrong size finds nothing):
//! - `<name>`: its bytes, or `<name>.path`: where a blob added in place keeps them;
//! - `<name>.obao`: its hash tree in pre-order, which every piece served is checked against;
//! - `<name>.have`: while it downloads, one bit per piece verified and written (a blob without
//!   one is whole);
//! - `<name>.readers`: for a blob served only to its readers, who they are (see
//!   [`super::access`]).

use super::tree::{self, piece_ranges, BlobRef};
use bao_tree::io::{
	outboard::PreOrderOutboard,
	sync::{decode_ranges, encode_ranges_validated},
	DecodeError,
};
use std::{
	fs::{File, OpenOptions},
	io,
	os::unix::fs::FileExt,
	path::{Path, PathBuf},
	time::SystemTime,
};

#[derive(Clone, Debug)]
pub struct Store {
	dir: PathBuf,
}

/// What the store holds of a blob.
#[derive(Debug, PartialEq, Eq)]
pub enum Held {
	Nothing,
	/// A download in progress, with the pieces it has.
	Partial(Vec<bool>),
	Whole,
}

/// Why a piece received was not written.
#[derive(Debug, thiserror::Error)]
pub enum PieceError {
	/// It does not prove itself against the root: nothing unverified reached the disk.
	#[error("{0}")]
	Invalid(DecodeError),
	#[error("{0} bytes past the end of the piece")]
	TrailingBytes(u64),
	#[error("the blob has no piece {0}")]
	NoSuchPiece(u64),
	#[error(transparent)]
	Io(#[from] io::Error),
}

impl Store {
	pub fn open(dir: &Path) -> io::Result<Store> {
		std::fs::create_dir_all(dir)?;
		Ok(Store { dir: dir.to_path_buf() })
	}

	pub fn dir(&self) -> &Path {
		&self.dir
	}

	pub(super) fn base(&self, blob: &BlobRef) -> PathBuf {
		self.dir.join(format!("{}-{}", blob.hex(), blob.size))
	}

	pub(super) fn with(&self, blob: &BlobRef, extension: &str) -> PathBuf {
		let mut path = self.base(blob).into_os_string();
		path.push(extension);
		PathBuf::from(path)
	}

	/// Where the blob's bytes are: the file it was added from, or its own.
	pub fn data_path(&self, blob: &BlobRef) -> io::Result<PathBuf> {
		match std::fs::read_to_string(self.with(blob, ".path")) {
			Ok(path) => Ok(PathBuf::from(path.trim_end())),
			Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(self.base(blob)),
			Err(e) => Err(e),
		}
	}

	/// Adds `file` in place: its hash tree is computed (one read of it) and kept here, its
	/// bytes stay where they are. Serving checks every group against the tree, so a file
	/// changed since is refused, never served as the blob.
	///
	/// The tree goes in last: a blob is held once its tree is here, so one whose adding was
	/// cut short is not held at all.
	pub fn add(&self, file: &Path) -> io::Result<BlobRef> {
		let file = std::fs::canonicalize(file)?;
		let path = file.to_str().ok_or_else(|| {
			io::Error::new(io::ErrorKind::InvalidInput, "a path that is not UTF-8")
		})?;
		let staged = self.dir.join(format!(".adding-{}", std::process::id()));
		let blob = tree::import(&file, &staged)?;
		std::fs::write(self.with(&blob, ".path"), path)?;
		std::fs::rename(&staged, self.with(&blob, ".obao"))?;
		Ok(blob)
	}

	/// Whether the bytes of a whole blob still prove themselves against its tree (a file added
	/// in place may have changed since): one read of them.
	pub fn still_whole(&self, blob: &BlobRef) -> io::Result<bool> {
		let data = File::open(self.data_path(blob)?)?;
		let outboard = self.outboard(blob, File::open(self.with(blob, ".obao"))?);
		let all = bao_tree::ChunkRanges::all();
		Ok(encode_ranges_validated(&data, &outboard, &all, io::sink()).is_ok())
	}

	/// Drops `blob` from the store: its own bytes, its tree, its bitfield and its readers (a
	/// file added in place stays where it is). Nothing held is not an error.
	pub fn remove(&self, blob: &BlobRef) -> io::Result<()> {
		let own_bytes = !self.added_in_place(blob);
		// The tree first: without it the blob is not held, whatever else is left.
		for extension in [".obao", ".have", ".path", ".readers"] {
			remove_if_there(&self.with(blob, extension))?;
		}
		if own_bytes {
			remove_if_there(&self.base(blob))?;
		}
		Ok(())
	}

	/// Removes every file of the store last written before `now - age` but those of whole
	/// blobs: the leftovers of downloads no job needs any more (one cut short by a restart, or
	/// whose job ended while it waited to try again), and of adds cut short. Returns how many
	/// were removed.
	pub fn prune_unfinished(&self, age: std::time::Duration, now: SystemTime) -> io::Result<usize> {
		let Some(before) = now.checked_sub(age) else { return Ok(0) };
		let whole: std::collections::HashSet<String> = self
			.whole_blobs()?
			.into_iter()
			.map(|(blob, _)| format!("{}-{}", blob.hex(), blob.size))
			.collect();
		let mut removed = 0;
		for entry in std::fs::read_dir(&self.dir)? {
			let entry = entry?;
			let name = entry.file_name().to_string_lossy().into_owned();
			let blob_name = name.split('.').next().unwrap_or_default();
			if whole.contains(blob_name) {
				continue;
			}
			let metadata = entry.metadata()?;
			if metadata.is_file() && metadata.modified()? < before {
				remove_if_there(&entry.path())?;
				removed += 1;
			}
		}
		Ok(removed)
	}

	/// Whether the blob's bytes are a file added in place rather than the store's own.
	pub fn added_in_place(&self, blob: &BlobRef) -> bool {
		self.with(blob, ".path").is_file()
	}

	pub fn held(&self, blob: &BlobRef) -> io::Result<Held> {
		if !self.with(blob, ".obao").is_file() {
			return Ok(Held::Nothing);
		}
		match std::fs::read(self.with(blob, ".have")) {
			Ok(bits) => Ok(Held::Partial((0..blob.pieces()).map(|p| bit(&bits, p)).collect())),
			Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Held::Whole),
			Err(e) => Err(e),
		}
	}

	/// Piece `piece` of `blob` encoded for the wire, every group checked against the tree
	/// first; `None` if this store does not hold it (or no longer holds it as it was).
	pub fn encode_piece(&self, blob: &BlobRef, piece: u64) -> io::Result<Option<Vec<u8>>> {
		let have = match self.held(blob)? {
			Held::Nothing => false,
			Held::Partial(pieces) => pieces.get(piece as usize).copied().unwrap_or(false),
			Held::Whole => piece < blob.pieces(),
		};
		if !have {
			return Ok(None);
		}
		let data = File::open(self.data_path(blob)?)?;
		let outboard = self.outboard(blob, File::open(self.with(blob, ".obao"))?);
		let mut encoded = Vec::with_capacity((blob.piece_len(piece) + 8 * 1024) as usize);
		match encode_ranges_validated(&data, &outboard, &piece_ranges(piece), &mut encoded) {
			Ok(()) => Ok(Some(encoded)),
			// The bytes changed since they were added, or the disk lies: refuse to serve them.
			Err(_) => Ok(None),
		}
	}

	fn outboard<D>(&self, blob: &BlobRef, data: D) -> PreOrderOutboard<D> {
		PreOrderOutboard { root: blob.hash(), tree: blob.tree(), data }
	}

	/// The files a download of `blob` writes into, created at their full size (sparse) if
	/// this is its first piece, kept as they are if it resumes.
	pub fn begin(&self, blob: &BlobRef) -> io::Result<Download> {
		let open = |path: PathBuf, len: u64| -> io::Result<File> {
			let file = OpenOptions::new()
				.read(true)
				.write(true)
				.create(true)
				.truncate(false)
				.open(path)?;
			if file.metadata()?.len() != len {
				file.set_len(len)?;
			}
			Ok(file)
		};
		let have_path = self.with(blob, ".have");
		let whole_already = self.held(blob)? == Held::Whole;
		if whole_already {
			return Err(io::Error::new(io::ErrorKind::AlreadyExists, "the blob is whole here"));
		}
		let have = open(have_path.clone(), blob.pieces().div_ceil(8))?;
		let data = open(self.base(blob), blob.size)?;
		let outboard = open(self.with(blob, ".obao"), blob.tree().outboard_size())?;
		let mut bits = vec![0u8; blob.pieces().div_ceil(8) as usize];
		have.read_exact_at(&mut bits, 0)?;
		let mut download = Download { blob: *blob, data, outboard, have, have_path, bits };
		download.forget_unproven()?;
		Ok(download)
	}

	/// What a download of `blob` still needs on disk: its bytes and its hash tree, less what
	/// its files already take (the blocks written, not their length: they are sparse).
	pub fn space_needed(&self, blob: &BlobRef) -> u64 {
		use std::os::unix::fs::MetadataExt;
		let present = |path: PathBuf| std::fs::metadata(path).map_or(0, |m| m.blocks() * 512);
		(blob.size + blob.tree().outboard_size())
			.saturating_sub(present(self.base(blob)) + present(self.with(blob, ".obao")))
	}
}

pub(crate) fn remove_if_there(path: &Path) -> io::Result<()> {
	match std::fs::remove_file(path) {
		Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
		_ => Ok(()),
	}
}

/// Whether `bits` (one per piece, lowest bit first) marks piece `piece` held.
fn bit(bits: &[u8], piece: u64) -> bool {
	bits.get((piece / 8) as usize).is_some_and(|b| b >> (piece % 8) & 1 == 1)
}

/// A blob being written piece by piece; only verified bytes ever reach its files.
pub struct Download {
	blob: BlobRef,
	data: File,
	outboard: File,
	have: File,
	have_path: PathBuf,
	bits: Vec<u8>,
}

impl Download {
	pub fn has(&self, piece: u64) -> bool {
		piece < self.blob.pieces() && bit(&self.bits, piece)
	}

	/// The pieces still to get, in order.
	pub fn missing(&self) -> Vec<u64> {
		(0..self.blob.pieces()).filter(|p| !self.has(*p)).collect()
	}

	/// Clears the bit of every piece marked held whose bytes do not prove themselves against
	/// the root (a machine that lost power after the bit and before the bytes).
	fn forget_unproven(&mut self) -> io::Result<()> {
		for piece in 0..self.blob.pieces() {
			if !self.has(piece) {
				continue;
			}
			let outboard = PreOrderOutboard {
				root: self.blob.hash(),
				tree: self.blob.tree(),
				data: &self.outboard,
			};
			let ranges = piece_ranges(piece);
			if encode_ranges_validated(&self.data, outboard, &ranges, io::sink()).is_err() {
				self.mark(piece, false)?;
			}
		}
		Ok(())
	}

	/// Checks `encoded` as piece `piece` against the root, group by group, writing each group
	/// only once it is verified; marks the piece held once all of it is.
	pub fn write_piece(&mut self, piece: u64, encoded: &[u8]) -> Result<(), PieceError> {
		if piece >= self.blob.pieces() {
			return Err(PieceError::NoSuchPiece(piece));
		}
		let mut reader = io::Cursor::new(encoded);
		let outboard = PreOrderOutboard {
			root: self.blob.hash(),
			tree: self.blob.tree(),
			data: &mut self.outboard,
		};
		decode_ranges(&mut reader, &piece_ranges(piece), &mut self.data, outboard).map_err(
			|e| match e {
				DecodeError::Io(e) if e.kind() != io::ErrorKind::UnexpectedEof => PieceError::Io(e),
				other => PieceError::Invalid(other),
			},
		)?;
		let trailing = encoded.len() as u64 - reader.position();
		if trailing > 0 {
			return Err(PieceError::TrailingBytes(trailing));
		}
		// The bytes first, the bit after them: a process killed in between gets the piece
		// again, never a bit for bytes it did not write. (Not synced piece by piece: a machine
		// that loses power may keep a bit whose bytes it lost, which is why a resumed download
		// checks the pieces it claims again.)
		self.mark(piece, true)?;
		Ok(())
	}

	/// Records piece `piece` as held or not, in memory and in `<blob>.have` (its one byte).
	fn mark(&mut self, piece: u64, held: bool) -> io::Result<()> {
		let byte = (piece / 8) as usize;
		let mask = 1 << (piece % 8);
		if held {
			self.bits[byte] |= mask;
		} else {
			self.bits[byte] &= !mask;
		}
		self.have.write_all_at(&self.bits[byte..=byte], byte as u64)
	}

	/// Ends the download once every piece is held: the blob is whole. Returns where its
	/// bytes are.
	pub fn finish(self, store: &Store) -> io::Result<PathBuf> {
		if !self.missing().is_empty() {
			return Err(io::Error::other("a download finished with pieces missing"));
		}
		self.data.sync_all()?;
		self.outboard.sync_all()?;
		std::fs::remove_file(&self.have_path)?;
		Ok(store.base(&self.blob))
	}
}
