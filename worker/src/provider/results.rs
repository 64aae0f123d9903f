//! The outputs a provider computed, kept back until the chain attests them.
//!
//! An output is written to `<state dir>/results/pending/<job>-<hex hash>` when it is computed,
//! and moved to `<state dir>/results/<hex hash>`, where the blob server serves it, only once
//! the job is attested with that hash. Served before, a requester could read the honest
//! outputs of a job it then made fail, and never pay for them. Even then it is served only
//! to the job's requester, or to whoever holds a grant the requester signed
//! ([`crate::blobs::Grant`]): the requester paid for it.

use crate::chain::JobId;
use std::path::{Path, PathBuf};

/// Where outputs are kept, pending or served.
pub struct Results {
	served: PathBuf,
	pending: PathBuf,
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
		let entries = match std::fs::read_dir(&self.pending) {
			Ok(entries) => entries,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
			Err(e) => return Err(e),
		};
		let mut pending = Vec::new();
		for entry in entries {
			let name = entry?.file_name();
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
				std::fs::create_dir_all(&self.served)?;
				crate::blobs::add_reader(&self.served, hash, &requester)?;
				std::fs::rename(path, self.served.join(hex::encode(hash)))
			}
			Verdict::Attested { .. } | Verdict::Ended => std::fs::remove_file(path),
		}
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

	#[test]
	fn an_output_is_served_only_once_attested_with_its_hash() {
		let dir = tempfile::tempdir().unwrap();
		let results = Results::new(dir.path());
		let served = |hash: &[u8; 32]| dir.path().join("results").join(hex::encode(hash));
		let (honest, other) = ([1u8; 32], [2u8; 32]);
		results.keep(7, &honest, b"output").unwrap();
		results.keep(8, &other, b"another").unwrap();
		assert!(!served(&honest).exists(), "not served before the verdict");
		let mut pending = results.pending().unwrap();
		pending.sort();
		assert_eq!(pending, vec![(7, honest), (8, other)]);

		results.settle(7, &honest, Verdict::Open).unwrap();
		assert!(!served(&honest).exists());
		let requester = [9u8; 32];
		results.settle(7, &honest, Verdict::Attested { hash: honest, requester }).unwrap();
		assert_eq!(std::fs::read(served(&honest)).unwrap(), b"output");
		let readers = crate::blobs::readers(&dir.path().join("results"), &honest).unwrap();
		assert_eq!(readers, vec![requester], "served to the job's requester");
		// A job attested with another hash, or ended without one: nothing to serve.
		results.settle(8, &other, Verdict::Attested { hash: honest, requester }).unwrap();
		assert!(!served(&other).exists());
		assert!(results.pending().unwrap().is_empty());
	}
}
