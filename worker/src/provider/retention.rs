//! How long a provider keeps the data it serves, and how much of it: the outputs it computed
//! (once attested) and the inputs it fetched, which it serves to the other assignees of their
//! jobs, so that a requester may go offline once a quorum has committed.

use crate::data::Store;
use frame_support::traits::Get;
use std::time::{Duration, SystemTime};

/// How long served outputs and kept inputs are kept, and how much of the disk they may take.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
	/// A blob is removed this long after it was last written: an output from when it was
	/// first served, an input from when its last piece arrived.
	pub keep: Duration,
	/// Served outputs and kept inputs together take at most this many bytes; the oldest go
	/// first.
	pub cap_bytes: u64,
}

impl Default for Retention {
	/// The chain's `floor()` (`Jobs::DataRetention`), and 10 GiB.
	fn default() -> Self {
		Self { keep: floor(), cap_bytes: 10 << 30 }
	}
}

/// How long the chain says every provider keeps the data it serves
/// (`pallet_jobs::Config::DataRetention`, in blocks, at the chain's block time).
pub fn floor() -> Duration {
	let blocks: u32 = <concord_runtime::Runtime as pallet_jobs::Config>::DataRetention::get();
	Duration::from_millis(
		u64::from(blocks).saturating_mul(concord_runtime::units::MILLI_SECS_PER_BLOCK),
	)
}

impl Retention {
	/// This retention, keeping everything at least the chain's `floor()`; and whether it had
	/// to be raised to it.
	pub fn at_least_the_chains(self) -> (Retention, bool) {
		let floor = floor();
		(Retention { keep: self.keep.max(floor), ..self }, self.keep < floor)
	}
}

/// Removes the whole blobs of `stores` that `retention` no longer keeps (with their readers):
/// those older than its period, then the oldest of all the stores together while they
/// outgrow its cap. Returns how many were removed.
pub fn prune(stores: &[&Store], retention: Retention, now: SystemTime) -> std::io::Result<usize> {
	// (last written, store, blob) of every whole blob, oldest first.
	let mut kept = Vec::new();
	for store in stores {
		for (blob, since) in store.whole_blobs()? {
			kept.push((since, *store, blob));
		}
	}
	kept.sort_by_key(|(since, ..)| *since);
	let mut total: u64 = kept.iter().map(|(.., blob)| blob.size).sum();
	let mut removed = 0;
	for (since, store, blob) in kept {
		let expired = now.duration_since(since).is_ok_and(|age| age > retention.keep);
		if !expired && total <= retention.cap_bytes {
			continue;
		}
		// One that cannot be removed is said, and the rest are still pruned.
		match store.remove(&blob) {
			Ok(()) => {
				total -= blob.size;
				removed += 1;
			}
			Err(e) => log::warn!("removing {blob} from {}: {e}", store.dir().display()),
		}
	}
	Ok(removed)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::data::{BlobRef, Held};
	use crate::provider::results::{served, Results, Verdict};

	/// The runtime's `DataRetention` is a day of blocks; no operator keeps less.
	#[test]
	fn every_provider_keeps_data_at_least_as_long_as_the_chain_says() {
		assert_eq!(floor(), Duration::from_secs(24 * 60 * 60));
		assert_eq!(Retention::default().keep, floor());
		let hour = Retention { keep: Duration::from_secs(3600), cap_bytes: 7 };
		let (raised, was_raised) = hour.at_least_the_chains();
		assert_eq!((raised.keep, raised.cap_bytes, was_raised), (floor(), 7, true));
		let week = Retention { keep: 7 * floor(), cap_bytes: 7 };
		let (kept, was_raised) = week.at_least_the_chains();
		assert_eq!((kept.keep, was_raised), (7 * floor(), false));
	}

	fn blob_of(output: &[u8]) -> BlobRef {
		BlobRef { root: concord_kernels::result_hash(output), size: output.len() as u64 }
	}

	fn age(store: &Store, blob: &BlobRef, by: Duration) {
		let data = store.data_path(blob).unwrap();
		let file = std::fs::File::options().write(true).open(data).unwrap();
		file.set_modified(SystemTime::now() - by).unwrap();
	}

	/// Outputs and inputs share one period and one cap: the expired go, then the oldest of
	/// both stores while together they are over the cap; a download still under way is not
	/// theirs to remove.
	#[test]
	fn served_outputs_and_kept_inputs_go_when_expired_or_over_the_cap_oldest_first() {
		let dir = tempfile::tempdir().unwrap();
		let results = Results::new(dir.path());
		let outputs = served(dir.path()).unwrap();
		let inputs = Store::open(&dir.path().join("inputs")).unwrap();
		let requester = [9u8; 32];
		let blobs = [1u8, 2].map(|byte| blob_of(&[byte; 100]));
		for (job, blob) in blobs.iter().enumerate() {
			let output = [job as u8 + 1; 100];
			results.keep(job as u64, &blob.root, &output).unwrap();
			let attested = Verdict::Attested { hash: blob.root, requester };
			results.settle(job as u64, &blob.root, attested).unwrap();
		}
		std::fs::write(dir.path().join("input"), [3u8; 100]).unwrap();
		let input = inputs.add(&dir.path().join("input")).unwrap();
		let unfinished = blob_of(&[4u8; 100]);
		drop(inputs.begin(&unfinished).unwrap());
		let held = |store: &Store, blob: &BlobRef| store.held(blob).unwrap() == Held::Whole;
		// The first output was served two hours ago, the input fetched an hour ago.
		age(&outputs, &blobs[0], Duration::from_secs(7200));
		age(&inputs, &input, Duration::from_secs(3600));
		let now = SystemTime::now();
		let stores = [&outputs, &inputs];

		let day = Retention { keep: Duration::from_secs(86_400), cap_bytes: 1 << 20 };
		assert_eq!(prune(&stores, day, now).unwrap(), 0, "all within a day and the cap");
		let ninety_minutes = Retention { keep: Duration::from_secs(5400), ..day };
		assert_eq!(prune(&stores, ninety_minutes, now).unwrap(), 1);
		assert!(!held(&outputs, &blobs[0]), "expired");
		assert_eq!(outputs.readers(&blobs[0]).unwrap(), None, "its readers went with it");
		assert!(held(&outputs, &blobs[1]) && held(&inputs, &input));

		// 200 bytes kept, a cap of 150: the oldest, the input, goes.
		assert_eq!(prune(&stores, Retention { cap_bytes: 150, ..day }, now).unwrap(), 1);
		assert!(!held(&inputs, &input) && held(&outputs, &blobs[1]));
		assert_eq!(inputs.held(&unfinished).unwrap(), Held::Partial(vec![false]));
		// The pending outputs are never touched.
		results.keep(4, &[4; 32], b"pending").unwrap();
		prune(&stores, Retention { cap_bytes: 0, ..day }, now).unwrap();
		assert_eq!(results.pending().unwrap(), vec![(4, [4; 32])]);
		assert!(!held(&outputs, &blobs[1]));
	}
}
