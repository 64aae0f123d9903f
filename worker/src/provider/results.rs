//! The outputs a provider computed, kept back until the chain attests them.
//!
//! An output is written to `<state dir>/results/pending/<job>-<hex hash>` when it is computed,
//! and moved to `<state dir>/results/<hex hash>`, where the blob server serves it, only once
//! the job is attested with that hash. Served before, a requester could read the honest
//! outputs of a job it then made fail, and never pay for them. Even then it is served only
//! to the job's requester, or to whoever holds a grant the requester signed
//! ([`crate::blobs::Grant`]): the requester paid for it.
//!
//! Served outputs are kept for the operator's [`Retention`]: removed once older than its
//! period, and the oldest first whenever together they outgrow its cap.

use crate::chain::JobId;
use std::{
	path::{Path, PathBuf},
	time::{Duration, SystemTime},
};

/// How long served outputs are kept, and how much of the disk they may take.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
	/// An output is removed this long after it was first served.
	pub keep: Duration,
	/// Served outputs together take at most this many bytes; the oldest go first.
	pub cap_bytes: u64,
}

impl Default for Retention {
	/// A day, and 10 GiB.
	fn default() -> Self {
		Self { keep: Duration::from_secs(24 * 60 * 60), cap_bytes: 10 << 30 }
	}
}

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
				std::fs::create_dir_all(&self.served)?;
				crate::blobs::add_reader(&self.served, hash, &requester)?;
				let served = self.served.join(hex::encode(hash));
				std::fs::rename(path, &served)?;
				// Its retention runs from now, when it is first served.
				std::fs::File::options().write(true).open(&served)?.set_modified(SystemTime::now())
			}
			Verdict::Attested { .. } | Verdict::Ended => std::fs::remove_file(path),
		}
	}

	/// Removes the served outputs `retention` no longer keeps, with their readers; returns
	/// how many were removed.
	pub fn prune(&self, retention: Retention, now: SystemTime) -> std::io::Result<usize> {
		// (first served, bytes, hash) of every served output, oldest first.
		let mut served = Vec::new();
		for entry in entries(&self.served)? {
			let mut hash = [0u8; 32];
			let name = entry.file_name();
			let is_output =
				name.to_str().is_some_and(|n| hex::decode_to_slice(n, &mut hash).is_ok());
			let metadata = entry.metadata()?;
			if is_output && metadata.is_file() {
				served.push((metadata.modified()?, metadata.len(), hash));
			}
		}
		served.sort();
		let mut total: u64 = served.iter().map(|(_, bytes, _)| bytes).sum();
		let mut removed = 0;
		for (since, bytes, hash) in served {
			let expired = now.duration_since(since).is_ok_and(|age| age > retention.keep);
			if !expired && total <= retention.cap_bytes {
				continue;
			}
			std::fs::remove_file(self.served.join(hex::encode(hash)))?;
			crate::blobs::forget_readers(&self.served, &hash)?;
			total -= bytes;
			removed += 1;
		}
		Ok(removed)
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

	#[test]
	fn served_outputs_go_when_expired_or_over_the_cap_oldest_first() {
		let dir = tempfile::tempdir().unwrap();
		let results = Results::new(dir.path());
		let served = |hash: &[u8; 32]| dir.path().join("results").join(hex::encode(hash));
		let requester = [9u8; 32];
		for (job, byte) in [(1, 1u8), (2, 2), (3, 3)] {
			results.keep(job, &[byte; 32], &[byte; 100]).unwrap();
			results
				.settle(job, &[byte; 32], Verdict::Attested { hash: [byte; 32], requester })
				.unwrap();
		}
		// The first was served an hour before the others.
		let now = SystemTime::now();
		let old = std::fs::File::options().write(true).open(served(&[1; 32])).unwrap();
		old.set_modified(now - Duration::from_secs(3600)).unwrap();
		let day = Retention { keep: Duration::from_secs(86_400), cap_bytes: 1 << 20 };
		assert_eq!(results.prune(day, now).unwrap(), 0, "all within a day and the cap");

		let half_hour = Retention { keep: Duration::from_secs(1800), ..day };
		assert_eq!(results.prune(half_hour, now).unwrap(), 1);
		assert!(!served(&[1; 32]).exists(), "expired");
		assert!(crate::blobs::readers(&dir.path().join("results"), &[1; 32]).unwrap().is_empty());
		assert!(served(&[2; 32]).exists() && served(&[3; 32]).exists());

		// 200 bytes served, a cap of 150: one goes.
		assert_eq!(results.prune(Retention { cap_bytes: 150, ..day }, now).unwrap(), 1);
		assert_eq!([2, 3].map(|b| served(&[b; 32]).exists()).iter().filter(|e| **e).count(), 1);
		// The pending directory is never touched.
		results.keep(4, &[4; 32], b"pending").unwrap();
		results.prune(Retention { cap_bytes: 0, ..day }, now).unwrap();
		assert_eq!(results.pending().unwrap(), vec![(4, [4; 32])]);
	}
}
