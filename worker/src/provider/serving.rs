//! Serving the outputs the daemon computed, over the data plane (`/concord/blob/4`) and HTTP
//! at its registered endpoint, each once the chain has attested it, to its readers only; and
//! over the data plane the inputs it fetched, to anyone who names them.

use super::{results::Verdict, Config, Work, LOG_TARGET};
use crate::blobs::Endpoint;
use crate::chain::ProviderInfo;
use libp2p::multiaddr::Protocol;
use pallet_jobs::Phase;

/// Serves the outputs of jobs attested by block `at`, and drops those of jobs that ended
/// without them (see [`results`]).
pub(super) async fn publish_attested(work: &Work, at: crate::chain::Hash) {
	let pending = match work.results.pending() {
		Ok(pending) => pending,
		Err(e) => return log::warn!(target: LOG_TARGET, "reading the pending results failed: {e}"),
	};
	for (job, hash) in pending {
		let verdict = match work.client.job(job, at).await {
			Ok(None) => Verdict::Ended,
			Ok(Some(info)) => match info.phase {
				Phase::Attested { result_hash } => {
					Verdict::Attested { hash: result_hash.0, requester: info.requester.into() }
				}
				phase if phase.is_open() => Verdict::Open,
				_ => Verdict::Ended,
			},
			Err(e) => {
				log::warn!(target: LOG_TARGET, "job {job}: reading its verdict failed: {e:#}");
				continue;
			}
		};
		// Off the async task: serving an output hashes all of it (a second a GiB).
		let results = work.results.clone();
		let settled = tokio::task::spawn_blocking(move || results.settle(job, &hash, verdict));
		match settled.await {
			Ok(Ok(())) => {}
			Ok(Err(e)) => {
				log::warn!(target: LOG_TARGET, "job {job}: settling its output failed: {e}")
			}
			Err(e) => log::error!(target: LOG_TARGET, "job {job}: settling its output failed: {e}"),
		}
	}
}

/// Starts serving computed results over libp2p and HTTP, on `--listen` and `--http` or else
/// the addresses in the provider's registered endpoint, and kept inputs over libp2p. Says why not if it cannot (the
/// provider still computes, commits and reveals); returns whether serving is settled, `false`
/// while an unregistered provider has no endpoint yet.
pub(super) fn serve_results(config: &Config, record: Option<&ProviderInfo>) -> bool {
	let registered = match record {
		None if config.listen.is_none() && config.http.is_none() => return false,
		None => Endpoint::default(),
		Some(info) => {
			let text = String::from_utf8_lossy(&info.endpoint);
			Endpoint::parse(&text).unwrap_or_else(|e| {
				log::warn!(target: LOG_TARGET, "the registered endpoint {text:?} is not served: {e:#}");
				Endpoint::default()
			})
		}
	};
	let (store, inputs) = match (
		super::results::served(&config.state_dir),
		super::inputs::kept_inputs(&config.state_dir),
	) {
		(Ok(store), Ok(inputs)) => (store, inputs),
		(Err(e), _) | (_, Err(e)) => {
			log::warn!(target: LOG_TARGET, "results are not served: {e}");
			return true;
		}
	};
	if let Some(address) = config.http.or(registered.http) {
		let store = store.clone();
		tokio::spawn(async move {
			if let Err(e) = crate::blobs::serve_http(address, store, log_info).await {
				log::warn!(target: LOG_TARGET, "results are not served to browsers: {e:#}");
			}
		});
	}
	let Some(mut address) = config.listen.clone().or(registered.p2p) else {
		log::warn!(target: LOG_TARGET, "the endpoint has no libp2p address: results are not served over libp2p");
		return true;
	};
	if matches!(address.iter().last(), Some(Protocol::P2p(_))) {
		address.pop();
	}
	let identity = match crate::blobs::load_or_create_identity(&config.state_dir) {
		Ok(identity) => identity,
		Err(e) => {
			log::warn!(target: LOG_TARGET, "results are not served: {e:#}");
			return true;
		}
	};
	tokio::spawn(async move {
		let listening = |at| log_info(format!("serving results and inputs at {at}"));
		if let Err(e) = crate::data::serve(address, identity, vec![store, inputs], listening).await
		{
			log::warn!(target: LOG_TARGET, "results are not served: {e:#}");
		}
	});
	true
}

/// A line the result servers say about themselves.
fn log_info(line: String) {
	log::info!(target: LOG_TARGET, "{line}");
}
