//! Downloading a blob from one source, piece by piece, each verified against the root before
//! any of its bytes reach the disk.

use super::{
	store::{Download, Held, PieceError, Store},
	tree::BlobRef,
	wire::{self, Answer, PieceRequest, IN_FLIGHT},
};
use futures::{stream::FuturesUnordered, StreamExt};
use libp2p::{
	request_response::{Event, Message, OutboundFailure, OutboundRequestId},
	swarm::SwarmEvent,
	Multiaddr, PeerId,
};
use std::{
	collections::HashMap,
	io,
	path::PathBuf,
	time::{Duration, Instant},
};

/// Why a download stopped. Each names the source and, where one is to blame, the piece.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
	#[error("cannot reach {address}: {reason}")]
	Unreachable { address: Multiaddr, reason: String },
	#[error("{peer} sent nothing for piece {piece} within {} s", after.as_secs())]
	Stalled { peer: PeerId, piece: u64, after: Duration },
	#[error("{peer} sent a piece {piece} that does not match the root: {reason}")]
	BadPiece { peer: PeerId, piece: u64, reason: String },
	#[error("{peer} answered piece {piece} with something other than a piece: {reason}")]
	BadAnswer { peer: PeerId, piece: u64, reason: String },
	#[error("{peer} does not hold {blob} (a blob is its root and its size: check both)")]
	Missing { peer: PeerId, blob: BlobRef },
	#[error("{peer} refuses piece {piece} of {blob} as outside the limits")]
	Refused { peer: PeerId, blob: BlobRef, piece: u64 },
	#[error("{blob} is empty, and an empty blob's root is 0x{}", hex::encode(bao_tree::blake3::hash(&[]).as_bytes()))]
	NotEmptyRoot { blob: BlobRef },
	#[error("{} was added to this store in place and has changed since", path.display())]
	ChangedSinceAdded { path: PathBuf },
	#[error("{blob} needs {needed} more bytes in {dir} (and some left free), which has {available} free")]
	NoSpace { blob: BlobRef, dir: PathBuf, needed: u64, available: u64 },
	#[error(transparent)]
	Io(#[from] io::Error),
}

/// Disk space a download leaves free beside the blob, by default: a disk filled to the last
/// byte fails everything else running on the machine.
pub const KEEP_FREE: u64 = 64 << 20;

/// How a download treats its source and the disk.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	/// Requests kept in flight (taken as 1 to `MAX_STREAMS`).
	pub in_flight: usize,
	/// How long a request waits for its whole answer, and a piece for a source that keeps
	/// saying it is busy.
	pub stall: Duration,
	/// Bytes of the disk left free once the blob is there.
	pub keep_free: u64,
}

impl Default for Limits {
	fn default() -> Self {
		Limits { in_flight: IN_FLIGHT, stall: wire::STALL_TIMEOUT, keep_free: KEEP_FREE }
	}
}

/// What a finished download did.
#[derive(Debug)]
pub struct Fetched {
	/// Where the blob's bytes are.
	pub path: PathBuf,
	/// Pieces received this time (a resumed download had the others already).
	pub pieces: u64,
	pub from: Option<PeerId>,
}

/// Gets `blob` into `store` from the peer at `source` (with or without `/p2p/<peer id>`;
/// with it, the peer's identity is checked), first making sure the disk has room for it.
pub async fn fetch(
	blob: BlobRef,
	source: Multiaddr,
	store: &Store,
	limits: Limits,
) -> Result<Fetched, FetchError> {
	if !blob.within_limits() {
		return Err(io::Error::new(
			io::ErrorKind::InvalidInput,
			format!("{blob} is over the limit"),
		)
		.into());
	}
	if store.held(&blob)? == Held::Whole {
		// A file added in place may have changed since: its bytes are given only if they
		// still prove themselves.
		let checked = {
			let (store, blob) = (store.clone(), blob);
			tokio::task::spawn_blocking(move || {
				Ok::<_, io::Error>(!store.added_in_place(&blob) || store.still_whole(&blob)?)
			})
		};
		if !checked.await.map_err(io::Error::other)?? {
			return Err(FetchError::ChangedSinceAdded { path: store.data_path(&blob)? });
		}
		return Ok(Fetched { path: store.data_path(&blob)?, pieces: 0, from: None });
	}
	if blob.size == 0 && blob.root != *bao_tree::blake3::hash(&[]).as_bytes() {
		return Err(FetchError::NotEmptyRoot { blob });
	}
	let needed = store.space_needed(&blob);
	let available = fs2::available_space(store.dir())?;
	if needed.saturating_add(limits.keep_free) > available {
		return Err(FetchError::NoSpace {
			blob,
			dir: store.dir().to_path_buf(),
			needed,
			available,
		});
	}
	// Opening checks again every piece a resumed download claims: a second a GiB, off the
	// async task.
	let mut download = {
		let (store, blob) = (store.clone(), blob);
		tokio::task::spawn_blocking(move || store.begin(&blob))
			.await
			.map_err(io::Error::other)??
	};
	let in_flight = limits.in_flight.clamp(1, wire::MAX_STREAMS);
	let mut todo = download.missing().into_iter();
	if todo.len() == 0 {
		return Ok(Fetched { path: download.finish(store)?, pieces: 0, from: None });
	}

	let mut swarm = wire::swarm(libp2p::identity::Keypair::generate_ed25519(), false, limits.stall)
		.map_err(|e| io::Error::other(e.to_string()))?;
	let unreachable = |reason: String| FetchError::Unreachable { address: source.clone(), reason };
	swarm.dial(wire::dial_opts(&source)).map_err(|e| unreachable(e.to_string()))?;

	let mut peer: Option<PeerId> = None;
	let mut asked: HashMap<OutboundRequestId, u64> = HashMap::new();
	// Pieces a busy source is asked for again after a pause, and since when each has been
	// refused so: a source busy for a piece longer than the stall timeout has stalled.
	let mut again = FuturesUnordered::new();
	let mut busy_since: HashMap<u64, Instant> = HashMap::new();
	let mut received = 0u64;
	while !(asked.is_empty() && again.is_empty() && todo.len() == 0) {
		let event = tokio::select! {
			event = swarm.select_next_some() => event,
			Some(piece) = again.next(), if !again.is_empty() => {
				if let Some(from) = peer {
					let request = PieceRequest { blob, piece };
					asked.insert(swarm.behaviour_mut().send_request(&from, request), piece);
				}
				continue;
			}
		};
		match event {
			SwarmEvent::ConnectionEstablished { peer_id, .. } if peer.is_none() => {
				peer = Some(peer_id);
				for piece in todo.by_ref().take(in_flight) {
					let request = PieceRequest { blob, piece };
					asked.insert(swarm.behaviour_mut().send_request(&peer_id, request), piece);
				}
			}
			SwarmEvent::OutgoingConnectionError { error, .. } => {
				return Err(unreachable(error.to_string()))
			}
			SwarmEvent::ConnectionClosed { cause, .. } => {
				let cause = cause.map_or("closed by the peer".to_string(), |e| e.to_string());
				return Err(unreachable(format!("the connection ended: {cause}")));
			}
			SwarmEvent::Behaviour(Event::Message {
				peer: from,
				message: Message::Response { request_id, response },
			}) => {
				let Some(piece) = asked.remove(&request_id) else { continue };
				match response {
					Answer::Piece(encoded) => {
						download = write(download, piece, encoded, from).await?;
						busy_since.remove(&piece);
						received += 1;
					}
					Answer::Missing => return Err(FetchError::Missing { peer: from, blob }),
					Answer::Invalid => return Err(FetchError::Refused { peer: from, blob, piece }),
					Answer::Busy => {
						let since = *busy_since.entry(piece).or_insert_with(Instant::now);
						if since.elapsed() >= limits.stall {
							return Err(FetchError::Stalled {
								peer: from,
								piece,
								after: limits.stall,
							});
						}
						again.push(async move {
							tokio::time::sleep(wire::BUSY_BACKOFF).await;
							piece
						});
						continue;
					}
				}
				if let Some(next) = todo.next() {
					let request = PieceRequest { blob, piece: next };
					asked.insert(swarm.behaviour_mut().send_request(&from, request), next);
				}
			}
			SwarmEvent::Behaviour(Event::OutboundFailure { peer: from, request_id, error }) => {
				let piece = asked.get(&request_id).copied().unwrap_or_default();
				return Err(match error {
					OutboundFailure::Timeout => {
						FetchError::Stalled { peer: from, piece, after: limits.stall }
					}
					// An answer cut short, reset or malformed: the peer is to blame, whatever
					// the reason.
					OutboundFailure::Io(e) => {
						FetchError::BadAnswer { peer: from, piece, reason: e.to_string() }
					}
					other => unreachable(other.to_string()),
				});
			}
			_ => {}
		}
	}
	let store = store.clone();
	let path = tokio::task::spawn_blocking(move || download.finish(&store))
		.await
		.map_err(io::Error::other)??;
	Ok(Fetched { path, pieces: received, from: peer })
}

/// Checks and writes one piece off the async task (about a millisecond of hashing a MiB).
async fn write(
	mut download: Download,
	piece: u64,
	encoded: Vec<u8>,
	peer: PeerId,
) -> Result<Download, FetchError> {
	let written = tokio::task::spawn_blocking(move || {
		let result = download.write_piece(piece, &encoded);
		(download, result)
	})
	.await
	.map_err(io::Error::other)?;
	match written {
		(download, Ok(())) => Ok(download),
		(_, Err(PieceError::Io(e))) => Err(e.into()),
		(_, Err(bad)) => Err(FetchError::BadPiece { peer, piece, reason: bad.to_string() }),
	}
}
