//! Serving the outputs a provider computed, from `<state dir>/results/<hex hash>`, to the
//! accounts listed in `<hex hash>.readers` beside it (see [`super::access`]).

use super::{codec::swarm, Answer, BlobRequest, Grant};
use futures::StreamExt;
use libp2p::{
	identity::Keypair,
	request_response::{Event, Message},
	swarm::SwarmEvent,
	Multiaddr,
};
use std::{
	io::Write,
	path::{Path, PathBuf},
};

/// Listens on `address` and answers blob requests from `results_dir` until the task is
/// dropped. Returns an error only if it cannot listen.
pub async fn serve(
	address: Multiaddr,
	identity: Keypair,
	results_dir: PathBuf,
	log: impl Fn(String),
) -> anyhow::Result<()> {
	let mut swarm = swarm(identity, true)?;
	swarm.listen_on(address.clone())?;
	loop {
		match swarm.select_next_some().await {
			SwarmEvent::NewListenAddr { address, .. } => {
				log(format!("serving results at {address}/p2p/{}", swarm.local_peer_id()))
			}
			SwarmEvent::ListenerClosed { reason: Err(e), .. }
			| SwarmEvent::ListenerError { error: e, .. } => {
				anyhow::bail!("listening on {address}: {e}")
			}
			SwarmEvent::Behaviour(Event::Message {
				message: Message::Request { request, channel, .. },
				..
			}) => {
				let dir = results_dir.clone();
				let answer = tokio::task::spawn_blocking(move || answer(&dir, &request));
				let answer = answer.await.unwrap_or(Answer::Missing);
				let _ = swarm.behaviour_mut().send_response(channel, answer);
			}
			_ => {}
		}
	}
}

/// The blob asked for, if it is here and the request's grant lets its holder read it.
fn answer(results_dir: &Path, request: &BlobRequest) -> Answer {
	match access(results_dir, &request.hash, &request.grant) {
		Access::Missing => Answer::Missing,
		Access::Refused => Answer::Refused,
		Access::Permitted(path) => std::fs::read(path).map_or(Answer::Missing, Answer::Blob),
	}
}

/// Whether `grant` lets its holder read the blob with `hash`: the blob is here and the grant
/// is one of its readers' signature for it.
pub(super) enum Access {
	Missing,
	Refused,
	/// Where the blob is.
	Permitted(PathBuf),
}

/// Decides a request for the blob with `hash`. The grant is checked before the blob is read,
/// so a refused request costs no read of it.
pub(super) fn access(results_dir: &Path, hash: &[u8; 32], grant: &Grant) -> Access {
	let path = results_dir.join(hex::encode(hash));
	if !path.is_file() {
		return Access::Missing;
	}
	let readers = readers(results_dir, hash).unwrap_or_default();
	if !(readers.contains(&grant.account) && grant.permits(hash)) {
		return Access::Refused;
	}
	Access::Permitted(path)
}

fn readers_path(results_dir: &Path, hash: &[u8; 32]) -> PathBuf {
	results_dir.join(format!("{}.readers", hex::encode(hash)))
}

/// The accounts that may read the blob with `hash`: the requesters of the jobs attested
/// with it.
pub fn readers(results_dir: &Path, hash: &[u8; 32]) -> std::io::Result<Vec<[u8; 32]>> {
	let text = match std::fs::read_to_string(readers_path(results_dir, hash)) {
		Ok(text) => text,
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
		Err(e) => return Err(e),
	};
	let mut accounts = Vec::new();
	for line in text.lines() {
		let mut account = [0u8; 32];
		if hex::decode_to_slice(line.trim(), &mut account).is_ok() {
			accounts.push(account);
		}
	}
	Ok(accounts)
}

/// Removes the list of who may read the blob with `hash` (when the blob itself goes).
pub fn forget_readers(results_dir: &Path, hash: &[u8; 32]) -> std::io::Result<()> {
	match std::fs::remove_file(readers_path(results_dir, hash)) {
		Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
		_ => Ok(()),
	}
}

/// Lets `account` read the blob with `hash` (once: a second call changes nothing).
pub fn add_reader(results_dir: &Path, hash: &[u8; 32], account: &[u8; 32]) -> std::io::Result<()> {
	if readers(results_dir, hash)?.contains(account) {
		return Ok(());
	}
	let mut file = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(readers_path(results_dir, hash))?;
	writeln!(file, "{}", hex::encode(account))?;
	file.sync_all()
}
