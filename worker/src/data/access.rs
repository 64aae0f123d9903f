//! Blobs served only to their readers: a job's output, which its requester paid for.
//!
//! A blob with `<blob>.readers` beside it (one account in hex per line) is served only to
//! requests that carry a [`Grant`] from one of those accounts for its root; a blob without one
//! is served to anyone who names it (an input, no more private than an inline input, which
//! sits on chain in clear). The readers are written before the blob is held, so an output is
//! never served to all, not even for a moment.

use super::{
	grant::Grant,
	store::{remove_if_there, Held, Store},
	tree::{self, BlobRef},
};
use std::{
	io::{self, Write},
	path::Path,
	time::SystemTime,
};

/// Whether a request may read a blob.
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
	/// The store holds none of it.
	Missing,
	/// The blob is served to its readers only, and the request's grant is not one of theirs
	/// for it (or there is none).
	Refused,
	Permitted,
}

impl Store {
	/// Who may read `blob`: `None` if anyone may.
	pub fn readers(&self, blob: &BlobRef) -> io::Result<Option<Vec<[u8; 32]>>> {
		let text = match std::fs::read_to_string(self.with(blob, ".readers")) {
			Ok(text) => text,
			Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
			Err(e) => return Err(e),
		};
		let mut accounts = Vec::new();
		for line in text.lines() {
			let mut account = [0u8; 32];
			if hex::decode_to_slice(line.trim(), &mut account).is_ok() {
				accounts.push(account);
			}
		}
		Ok(Some(accounts))
	}

	/// Lets `account` read `blob`, which from then on is served to its readers only (a second
	/// call for the same account changes nothing). The list is written whole beside the old
	/// one and renamed over it, so a crash leaves the old list or the new, never a torn line.
	pub fn add_reader(&self, blob: &BlobRef, account: &[u8; 32]) -> io::Result<()> {
		let mut readers = self.readers(blob)?.unwrap_or_default();
		if readers.contains(account) {
			return Ok(());
		}
		readers.push(*account);
		let path = self.with(blob, ".readers");
		let staged = self.with(blob, &format!(".readers-{}", std::process::id()));
		let mut file = std::fs::File::create(&staged)?;
		for reader in &readers {
			writeln!(file, "{}", hex::encode(reader))?;
		}
		file.sync_all()?;
		std::fs::rename(staged, path)
	}

	/// Whether a request for `blob` carrying `grant` may read it: decided before any of the
	/// blob is read.
	pub fn access(&self, blob: &BlobRef, grant: Option<&Grant>) -> io::Result<Access> {
		if self.held(blob)? == Held::Nothing {
			return Ok(Access::Missing);
		}
		let Some(readers) = self.readers(blob)? else { return Ok(Access::Permitted) };
		let permitted =
			grant.is_some_and(|g| readers.contains(&g.account) && g.permits(&blob.root));
		Ok(if permitted { Access::Permitted } else { Access::Refused })
	}

	/// Moves `file`, whose BLAKE3 root must be `root`, into the store as a blob that `reader`
	/// may read, and only its readers; one already held just gains the reader (the same
	/// output of another job). Returns the blob.
	pub fn adopt(&self, file: &Path, root: &[u8; 32], reader: &[u8; 32]) -> io::Result<BlobRef> {
		let staged = self.dir().join(format!(".adopting-{}", std::process::id()));
		let blob = tree::import(file, &staged)?;
		if blob.root != *root {
			remove_if_there(&staged)?;
			return Err(io::Error::new(
				io::ErrorKind::InvalidData,
				format!(
					"{} has the BLAKE3 root {blob}, not 0x{}",
					file.display(),
					hex::encode(root)
				),
			));
		}
		if self.held(&blob)? == Held::Whole {
			remove_if_there(&staged)?;
			self.add_reader(&blob, reader)?;
			return std::fs::remove_file(file).map(|()| blob);
		}
		// Readers first, the tree last: the blob is held, and served, once its tree is in. The
		// bytes are linked in and `file` removed only after, so that a crash in between leaves
		// `file` to adopt again.
		self.add_reader(&blob, reader)?;
		remove_if_there(&self.base(&blob))?;
		std::fs::hard_link(file, self.base(&blob))?;
		remove_if_there(&self.with(&blob, ".have"))?;
		std::fs::rename(&staged, self.with(&blob, ".obao"))?;
		std::fs::remove_file(file)?;
		Ok(blob)
	}

	/// The whole blob with root `root`, whatever its size, if the store holds one (the HTTP
	/// gateway names a blob by its root alone). Only names are read, and the tree of the one
	/// that matches: a request costs no stat of every other blob.
	pub fn find(&self, root: &[u8; 32]) -> io::Result<Option<BlobRef>> {
		let prefix = format!("{}-", hex::encode(root));
		for entry in std::fs::read_dir(self.dir())? {
			let name = entry?.file_name();
			let Some(name) = name.to_str().filter(|name| name.starts_with(&prefix)) else {
				continue;
			};
			let Some(blob) = name.strip_suffix(".obao").and_then(parse_name) else { continue };
			if self.held(&blob)? == Held::Whole {
				return Ok(Some(blob));
			}
		}
		Ok(None)
	}

	/// Every whole blob the store holds, its own bytes or a file added in place, with when its
	/// bytes were last written.
	pub fn whole_blobs(&self) -> io::Result<Vec<(BlobRef, SystemTime)>> {
		let mut blobs = Vec::new();
		for entry in std::fs::read_dir(self.dir())? {
			let entry = entry?;
			// Every blob held has its tree.
			let name = entry.file_name();
			let Some(blob) =
				name.to_str().and_then(|n| n.strip_suffix(".obao")).and_then(parse_name)
			else {
				continue;
			};
			if self.held(&blob)? == Held::Whole {
				// A file added in place may be gone: that blob is not listed, the rest are.
				match std::fs::metadata(self.data_path(&blob)?) {
					Ok(metadata) => blobs.push((blob, metadata.modified()?)),
					Err(e) if e.kind() == io::ErrorKind::NotFound => {}
					Err(e) => return Err(e),
				}
			}
		}
		Ok(blobs)
	}
}

/// The blob a store's files `<hex root>-<size>...` are about.
fn parse_name(name: &str) -> Option<BlobRef> {
	let (root_hex, size) = name.split_once('-')?;
	let mut root = [0u8; 32];
	hex::decode_to_slice(root_hex, &mut root).ok()?;
	Some(BlobRef { root, size: size.parse().ok()? })
}
