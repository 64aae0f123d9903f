//! The provider's crash-safe record of what it committed to.
//!
//! A commitment can only be revealed with its salt, and a provider that cannot reveal is
//! slashed as a no-show. So the result hash and salt of a job are written to disk, and synced,
//! before the commit is ever submitted; after a crash or restart the worker reveals from here
//! instead of running the job again with a new salt. A record is forgotten only once a
//! finalized block shows the reveal (or the job's end): a re-org can drop the block that
//! carried the reveal, and then the worker must reveal again.

use anyhow::Context;
use codec::{Decode, Encode};
use concord_runtime::Hash;
use pallet_jobs::JobId;
use std::{
	fs::{self, File},
	io::Write,
	path::{Path, PathBuf},
};

/// What the provider committed to for one job.
#[derive(Clone, Debug, Decode, Encode, Eq, PartialEq)]
pub struct Commitment {
	/// blake2-256 of the job's spec as the chain stores it: a job number reused by another
	/// chain with the same genesis (a restarted dev chain) does not match.
	pub spec_hash: [u8; 32],
	pub result_hash: [u8; 32],
	pub salt: [u8; 32],
}

/// One chain's commitments, a file per job under `<state dir>/<genesis hash>/commitments`.
pub struct Journal {
	dir: PathBuf,
}

impl Journal {
	pub fn open(state_dir: &Path, genesis: Hash) -> anyhow::Result<Journal> {
		let dir = state_dir.join(hex::encode(genesis)).join("commitments");
		fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
		Ok(Journal { dir })
	}

	fn path(&self, job: JobId) -> PathBuf {
		self.dir.join(job.to_string())
	}

	/// The commitment recorded for `job` with this spec, if any.
	pub fn get(&self, job: JobId, spec_hash: &[u8; 32]) -> anyhow::Result<Option<Commitment>> {
		let path = self.path(job);
		let bytes = match fs::read(&path) {
			Ok(bytes) => bytes,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
			Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
		};
		let commitment = Commitment::decode(&mut &bytes[..])
			.with_context(|| format!("{} is corrupt", path.display()))?;
		Ok((commitment.spec_hash == *spec_hash).then_some(commitment))
	}

	/// Records `commitment` for `job`, durably: written to a temporary file, synced, renamed
	/// over the old record and the directory synced, so a crash leaves the old record or the
	/// new one, never half of one.
	pub fn put(&self, job: JobId, commitment: &Commitment) -> anyhow::Result<()> {
		let path = self.path(job);
		let partial = self.dir.join(format!("{job}.partial"));
		let mut file =
			File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
		file.write_all(&commitment.encode())?;
		file.sync_all()?;
		fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
		File::open(&self.dir)?.sync_all()?;
		Ok(())
	}

	/// The jobs with a recorded commitment.
	pub fn jobs(&self) -> anyhow::Result<Vec<JobId>> {
		let entries =
			fs::read_dir(&self.dir).with_context(|| format!("reading {}", self.dir.display()))?;
		let mut jobs = Vec::new();
		for entry in entries {
			let name = entry?.file_name();
			if let Some(job) = name.to_str().and_then(|name| name.parse().ok()) {
				jobs.push(job);
			}
		}
		jobs.sort_unstable();
		Ok(jobs)
	}

	/// Forgets `job`, once a finalized block shows its reveal or its end.
	pub fn remove(&self, job: JobId) -> anyhow::Result<()> {
		Ok(crate::data::remove_if_there(&self.path(job))?)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn commitment(spec: u8) -> Commitment {
		Commitment { spec_hash: [spec; 32], result_hash: [7; 32], salt: [9; 32] }
	}

	#[test]
	fn a_commitment_survives_reopening_and_only_for_its_spec() {
		let dir = tempfile::tempdir().unwrap();
		let genesis = Hash::repeat_byte(1);
		Journal::open(dir.path(), genesis).unwrap().put(3, &commitment(5)).unwrap();

		let reopened = Journal::open(dir.path(), genesis).unwrap();
		assert_eq!(reopened.get(3, &[5; 32]).unwrap(), Some(commitment(5)));
		assert_eq!(reopened.get(3, &[6; 32]).unwrap(), None, "another job under that number");
		assert_eq!(reopened.get(4, &[5; 32]).unwrap(), None);

		let other_chain = Journal::open(dir.path(), Hash::repeat_byte(2)).unwrap();
		assert_eq!(other_chain.get(3, &[5; 32]).unwrap(), None);
		assert_eq!(other_chain.jobs().unwrap(), Vec::<JobId>::new());

		reopened.put(12, &commitment(5)).unwrap();
		assert_eq!(reopened.jobs().unwrap(), vec![3, 12]);

		reopened.remove(3).unwrap();
		assert_eq!(reopened.get(3, &[5; 32]).unwrap(), None);
		assert_eq!(reopened.jobs().unwrap(), vec![12]);
		reopened.remove(3).unwrap();
	}

	#[test]
	fn a_corrupt_record_is_an_error_not_a_fresh_start() {
		let dir = tempfile::tempdir().unwrap();
		let journal = Journal::open(dir.path(), Hash::repeat_byte(1)).unwrap();
		fs::write(journal.path(8), b"short").unwrap();
		assert!(journal.get(8, &[0; 32]).is_err());
	}
}
