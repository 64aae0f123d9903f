//! The outputs a provider computed, kept back until the chain attests them.
//!
//! An output is written to `<state dir>/results/pending/<job>-<hex hash>` when it is computed,
//! and moved into the store `<state dir>/results`, which the daemon serves over the data plane
//! and its HTTP gateway, only once the job is attested with that hash (the output's BLAKE3
//! root). Served before, a requester could read the honest outputs of a job it then made fail,
//! and never pay for them. Even then it is served only to the job's requester, or to whoever
//! holds a grant the requester signed ([`crate::data::Grant`]): the requester paid for it.
//!
//! Served outputs are kept for the operator's [`super::Retention`], with the inputs the
//! provider fetched ([`super::retention`]).

use crate::{chain::JobId, data::Store};
use std::{
	path::{Path, PathBuf},
	time::SystemTime,
};

/// Where outputs are kept, pending or served.
#[derive(Clone)]
pub struct Results {
	served: PathBuf,
	pending: PathBuf,
}

/// The store of served outputs under `state_dir`, which the daemon serves.
pub fn served(state_dir: &Path) -> std::io::Result<Store> {
	Store::open(&state_dir.join("results"))
}

/// What became of a job whose output is pending.
pub enum Verdict {
	/// Not decided yet: keep the output back.
	Open,
	/// Attested with `hash`, for the `requester` (an sr25519 account id) who paid for it.
	Attested { hash: [u8; 32], requester: [u8; 32] },
	/// Ended without a result, or no longer on chain.
	Ended,
}

impl Results {
	/// The outputs under `<state dir>/results`; the directories are made on first use.
	pub fn new(state_dir: &Path) -> Self {
		let served = state_dir.join("results");
		Self { pending: served.join("pending"), served }
	}

	/// Keeps `output` of `job` back until its verdict, written in full before it is named.
	pub fn keep(&self, job: JobId, hash: &[u8; 32], output: &[u8]) -> std::io::Result<()> {
		std::fs::create_dir_all(&self.pending)?;
		let path = self.pending.join(pending_name(job, hash));
		let partial = path.with_extension("partial");
		std::fs::write(&partial, output)?;
		std::fs::File::open(&partial)?.sync_all()?;
		std::fs::rename(partial, path)
	}

	/// The outputs kept back, by job and hash.
	pub fn pending(&self) -> std::io::Result<Vec<(JobId, [u8; 32])>> {
		let mut pending = Vec::new();
		for entry in entries(&self.pending)? {
			let name = entry.file_name();
			if let Some(parsed) = name.to_str().and_then(parse_pending_name) {
				pending.push(parsed);
			}
		}
		Ok(pending)
	}

	/// Serves the output of `job` if the chain attested its hash, and drops it if the job
	/// ended another way; keeps it back while the job is open.
	pub fn settle(&self, job: JobId, hash: &[u8; 32], verdict: Verdict) -> std::io::Result<()> {
		let path = self.pending.join(pending_name(job, hash));
		match verdict {
			Verdict::Open => Ok(()),
			Verdict::Attested { hash: attested, requester } if attested == *hash => {
				let store = Store::open(&self.served)?;
				let blob = match store.adopt(&path, hash, &requester) {
					Ok(blob) => blob,
					// Bytes that are not the output the chain attested (a disk that lost
					// them): never served, and not hashed again at every block.
					Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
						std::fs::remove_file(&path)?;
						return Err(e);
					}
					Err(e) => return Err(e),
				};
				// Its retention runs from now, when it is first served.
				let served = store.data_path(&blob)?;
				std::fs::File::options().write(true).open(&served)?.set_modified(SystemTime::now())
			}
			Verdict::Attested { .. } | Verdict::Ended => std::fs::remove_file(path),
		}
	}
}

/// The entries of `dir`; none if it was never made.
fn entries(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
	match std::fs::read_dir(dir) {
		Ok(entries) => entries.collect(),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
		Err(e) => Err(e),
	}
}

fn pending_name(job: JobId, hash: &[u8; 32]) -> String {
	format!("{job}-{}", hex::encode(hash))
}

fn parse_pending_name(name: &str) -> Option<(JobId, [u8; 32])> {
	let (job, hash) = name.split_once('-')?;
	let mut bytes = [0u8; 32];
	hex::decode_to_slice(hash, &mut bytes).ok()?;
	Some((job.parse().ok()?, bytes))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::data::{BlobRef, Held};

	fn blob_of(output: &[u8]) -> BlobRef {
		BlobRef { root: concord_kernels::result_hash(output), size: output.len() as u64 }
	}

	#[test]
	fn an_output_is_served_only_once_attested_with_its_hash_to_its_requesters() {
		let dir = tempfile::tempdir().unwrap();
		let results = Results::new(dir.path());
		let store = served(dir.path()).unwrap();
		let (honest, other) = (blob_of(b"output"), blob_of(b"another"));
		results.keep(7, &honest.root, b"output").unwrap();
		results.keep(8, &other.root, b"another").unwrap();
		assert_eq!(store.held(&honest).unwrap(), Held::Nothing, "not served before the verdict");
		let mut pending = results.pending().unwrap();
		pending.sort();
		assert_eq!(pending, vec![(7, honest.root), (8, other.root)]);

		results.settle(7, &honest.root, Verdict::Open).unwrap();
		assert_eq!(store.held(&honest).unwrap(), Held::Nothing);
		let requester = [9u8; 32];
		let attested = Verdict::Attested { hash: honest.root, requester };
		results.settle(7, &honest.root, attested).unwrap();
		assert_eq!(store.held(&honest).unwrap(), Held::Whole);
		assert_eq!(std::fs::read(store.data_path(&honest).unwrap()).unwrap(), b"output");
		assert_eq!(store.readers(&honest).unwrap(), Some(vec![requester]), "its requester's");
		// A job attested with another hash, or ended without one: nothing to serve.
		let attested = Verdict::Attested { hash: honest.root, requester };
		results.settle(8, &other.root, attested).unwrap();
		assert_eq!(store.held(&other).unwrap(), Held::Nothing);
		assert!(results.pending().unwrap().is_empty());

		// The same output for another requester's job: one copy, both its readers.
		results.keep(9, &honest.root, b"output").unwrap();
		let another = [10u8; 32];
		let attested = Verdict::Attested { hash: honest.root, requester: another };
		results.settle(9, &honest.root, attested).unwrap();
		assert_eq!(store.readers(&honest).unwrap(), Some(vec![requester, another]));
		assert_eq!(store.whole_blobs().unwrap().len(), 1);
	}

	/// An output whose bytes are not what its hash says (a disk that lost them) is refused,
	/// never served under the hash.
	#[test]
	fn an_output_whose_bytes_do_not_match_its_hash_is_not_served() {
		let dir = tempfile::tempdir().unwrap();
		let results = Results::new(dir.path());
		let claimed = blob_of(b"output");
		results.keep(7, &claimed.root, b"0utput").unwrap();
		let attested = Verdict::Attested { hash: claimed.root, requester: [9; 32] };
		let refused = results.settle(7, &claimed.root, attested).unwrap_err();
		assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData, "{refused}");
		assert!(served(dir.path()).unwrap().whole_blobs().unwrap().is_empty());
		assert!(results.pending().unwrap().is_empty(), "dropped, not hashed again");
	}
}
