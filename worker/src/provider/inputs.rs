//! A job's remote input: fetched from its requester and from every assignee that has
//! committed, kept, and served by root to anyone who asks (the other assignees of its job
//! above all), as the requester served it.

use super::duty::{retry, Failure, Work};
use crate::chain::{Hash, JobInfo};
use crate::data::{self, BlobRef, Limits, Store};
use crate::report;
use libp2p::Multiaddr;
use std::time::Instant;

/// The store of the remote inputs the daemon fetched under `state_dir`: kept for the
/// [`super::Retention`] once whole, and served with its outputs.
pub(super) fn kept_inputs(state_dir: &std::path::Path) -> std::io::Result<Store> {
	Store::open(&state_dir.join("inputs"))
}

impl Work {
	/// The bytes of the remote input `blob` of job `info`, fetched into the input store from
	/// every source [`Self::input_sources`] names at block `at`, every piece checked against its
	/// root. A fetch that fails is tried again on the next block (with the assignees that have
	/// committed by then) while computing could still finish after it (before `cutoff`); after
	/// that the job is given up, so declined, never left to lapse.
	pub(super) async fn fetch_input(
		&self,
		blob: BlobRef,
		info: &JobInfo,
		source: &[u8],
		(at, cutoff): (Hash, Instant),
	) -> Result<Vec<u8>, Failure> {
		let source_text = String::from_utf8_lossy(source).into_owned();
		let address: Multiaddr = source_text.parse().map_err(|_| {
			Failure::GiveUp(format!("its input source {source_text} is not a libp2p address"))
		})?;
		let late = |why: String| {
			// What was fetched is of no use once the job is declined.
			self.drop_input(&blob);
			Failure::GiveUp(format!(
				"its input {blob} could not be fetched from {source_text} or an assignee that \
				 committed in time to compute it: {why}"
			))
		};
		let left = cutoff.saturating_duration_since(Instant::now());
		if left.is_zero() {
			return Err(late("no time is left".into()));
		}
		let sources = self.input_sources(info, address, at).await;
		let fetched = tokio::time::timeout(
			left,
			data::fetch(blob, &sources, &self.inputs, Limits::default()),
		)
		.await;
		let path = match fetched {
			Ok(Ok(fetched)) => {
				let sources: Vec<_> = fetched.sources.iter().map(report::source_line).collect();
				log::info!(target: super::LOG_TARGET, "fetched the input {blob}:\n{}", sources.join("\n"));
				fetched.path
			}
			Err(_) => return Err(late("the fetch was still going at the cutoff".into())),
			Ok(Err(e)) if Instant::now() >= cutoff => return Err(late(e.to_string())),
			Ok(Err(e)) => {
				return Err(retry(anyhow::anyhow!(
					"fetching its input {blob} from {} sources: {e}",
					sources.len()
				)))
			}
		};
		tokio::task::spawn_blocking(move || std::fs::read(&path))
			.await
			.map_err(retry)?
			.map_err(retry)
	}

	/// Where job `info`'s remote input is fetched from: its requester's `source`, and every
	/// other assignee that has committed by block `at`. A commitment is computed from a whole
	/// copy, each piece checked against the root, which its provider keeps and serves, so the
	/// requester may go offline once a quorum has committed; a provider that committed without
	/// the input (or serves a bad piece) is a source like a dead requester, dropped by the
	/// download, which the others finish.
	async fn input_sources(&self, info: &JobInfo, source: Multiaddr, at: Hash) -> Vec<Multiaddr> {
		let me = self.config.signer.account();
		let mut sources = vec![source];
		let committed = info.assignees.iter().filter(|a| a.commitment.is_some());
		for assignee in committed.filter(|a| a.provider != *me) {
			match crate::blobs::data_address(&self.client, &assignee.provider, at).await {
				Ok(address) if !sources.contains(&address) => sources.push(address),
				Ok(_) => {}
				Err(e) => log::debug!(target: super::LOG_TARGET, "not an input source: {e:#}"),
			}
		}
		sources
	}

	/// Removes what was fetched of an input whose job is given up, if the input is not whole:
	/// a whole one is kept, since the other assignees of every job that names it fetch it from
	/// here (and a job whose window has passed can name any input). Says so if it cannot (the
	/// periodic pruning of unfinished downloads gets it later).
	pub(super) fn drop_input(&self, blob: &BlobRef) {
		let removed = match self.inputs.held(blob) {
			Ok(data::Held::Partial(_)) => self.inputs.remove(blob),
			Ok(_) => Ok(()),
			Err(e) => Err(e),
		};
		if let Err(e) = removed {
			log::warn!(target: super::LOG_TARGET, "removing the input {blob}: {e}");
		}
	}
}
