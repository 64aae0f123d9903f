//! Downloading a blob from one or more sources at once, piece by piece, each piece verified
//! against the root before any of its bytes reach the disk.
//!
//! The pieces go out in random order (so that downloaders of one blob spread over its
//! sources), a few in flight per source and [`IN_FLIGHT_ALL_SOURCES`] in all. A source that
//! sends a piece that does not prove itself is dropped and named, as is one that stalls, is
//! unreachable or does not hold the blob; the pieces asked of it go to the others. The
//! download fails only when no source is left.

use super::{
	grant::Grant,
	store::{Download, Held, PieceError, Store},
	tree::BlobRef,
	wire::{self, Answer, PieceRequest, IN_FLIGHT, IN_FLIGHT_ALL_SOURCES},
};
use futures::{stream::FuturesUnordered, StreamExt};
use libp2p::{
	request_response::{Event, Message, OutboundFailure, OutboundRequestId},
	swarm::{ConnectionId, SwarmEvent},
	Multiaddr, PeerId,
};
use std::{
	collections::{HashMap, VecDeque},
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
	#[error(
		"{peer} serves {blob} only to its readers (a job's requester, or whoever holds a grant \
		 the requester signed), and the request's grant is not one of theirs"
	)]
	NotPermitted { peer: PeerId, blob: BlobRef },
	#[error("{peer} refuses piece {piece} of {blob} as outside the limits")]
	Refused { peer: PeerId, blob: BlobRef, piece: u64 },
	#[error("{blob} is empty, and an empty blob's root is 0x{}", hex::encode(bao_tree::blake3::hash(&[]).as_bytes()))]
	NotEmptyRoot { blob: BlobRef },
	#[error("{} was added to this store in place and has changed since", path.display())]
	ChangedSinceAdded { path: PathBuf },
	#[error("{blob} needs {needed} more bytes in {dir} (and some left free), which has {available} free")]
	NoSpace { blob: BlobRef, dir: PathBuf, needed: u64, available: u64 },
	#[error("every source failed: {}", list(failures))]
	EverySourceFailed { failures: Vec<FetchError> },
	#[error(transparent)]
	Io(#[from] io::Error),
}

fn list(failures: &[FetchError]) -> String {
	failures.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ")
}

impl FetchError {
	/// Whether the source sent something that is not the blob: a lie, or a broken server,
	/// which a downloader cannot tell apart.
	pub fn is_bad_data(&self) -> bool {
		matches!(self, FetchError::BadPiece { .. } | FetchError::BadAnswer { .. })
	}
}

/// Disk space a download leaves free beside the blob, by default: a disk filled to the last
/// byte fails everything else running on the machine.
pub const KEEP_FREE: u64 = 64 << 20;

/// How a download treats its source and the disk.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	/// Requests kept in flight to each source (taken as 1 to `MAX_STREAMS`).
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
	/// Every source asked, with what it gave and, if it was dropped, why; none if the store
	/// held the blob already.
	pub sources: Vec<SourceReport>,
}

/// What one source did for a download.
#[derive(Debug)]
pub struct SourceReport {
	pub address: Multiaddr,
	/// Who answered there, once connected.
	pub peer: Option<PeerId>,
	/// Pieces it sent that proved themselves and were written.
	pub pieces: u64,
	/// Why it was dropped before the download ended, if it was.
	pub dropped: Option<FetchError>,
}

impl Fetched {
	/// The sources dropped for sending something that is not the blob.
	pub fn bad_sources(&self) -> impl Iterator<Item = &SourceReport> {
		self.sources.iter().filter(|s| s.dropped.as_ref().is_some_and(FetchError::is_bad_data))
	}
}

/// Gets `blob` into `store` from the peers at `sources`, all at once (each address with or
/// without `/p2p/<peer id>`; with it, the peer's identity is checked), first making sure the
/// disk has room for it.
pub async fn fetch(
	blob: BlobRef,
	sources: &[Multiaddr],
	store: &Store,
	limits: Limits,
) -> Result<Fetched, FetchError> {
	fetch_with(blob, sources, store, limits, None, None).await
}

/// [`fetch`], showing `grant` to sources that serve `blob` only to its readers (a job's
/// output).
pub async fn fetch_granted(
	blob: BlobRef,
	sources: &[Multiaddr],
	store: &Store,
	limits: Limits,
	grant: Grant,
) -> Result<Fetched, FetchError> {
	fetch_with(blob, sources, store, limits, Some(grant), None).await
}

/// How many random pieces [`probe`] asks for: enough that a source holding half the blob
/// passes one time in four (and one holding none never), few enough to cost 2 MiB.
pub const PROBED_PIECES: usize = 2;

/// Whether the peer at `source` holds `blob`, as far as a sample tells: it must send
/// [`PROBED_PIECES`] pieces drawn at random, each proving itself against the root, within
/// `limits`. The pieces go into a scratch store under `scratch` (made, and removed after):
/// nothing is kept. Used by a requester to see who holds its input before going offline.
pub async fn probe(
	blob: BlobRef,
	source: &Multiaddr,
	scratch: &std::path::Path,
	limits: Limits,
) -> Result<(), FetchError> {
	let store = Store::open(scratch)?;
	let mut pieces = shuffled((0..blob.pieces()).collect())?;
	pieces.truncate(PROBED_PIECES);
	let sources = std::slice::from_ref(source);
	let probed = fetch_with(blob, sources, &store, limits, None, Some(pieces)).await;
	std::fs::remove_dir_all(scratch)?;
	probed.map(drop)
}

async fn fetch_with(
	blob: BlobRef,
	sources: &[Multiaddr],
	store: &Store,
	limits: Limits,
	grant: Option<Grant>,
	only: Option<VecDeque<u64>>,
) -> Result<Fetched, FetchError> {
	if !blob.within_limits() {
		return Err(io::Error::new(
			io::ErrorKind::InvalidInput,
			format!("{blob} is over the limit"),
		)
		.into());
	}
	if sources.is_empty() {
		return Err(io::Error::new(io::ErrorKind::InvalidInput, "no source to fetch from").into());
	}
	let probing = only.is_some();
	if store.held(&blob)? == Held::Whole && !probing {
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
		return Ok(Fetched { path: store.data_path(&blob)?, pieces: 0, sources: Vec::new() });
	}
	if blob.size == 0 && blob.root != *bao_tree::blake3::hash(&[]).as_bytes() {
		return Err(FetchError::NotEmptyRoot { blob });
	}
	// A probe writes a few pieces into a sparse file.
	let needed = if probing { 0 } else { store.space_needed(&blob) };
	let available = fs2::available_space(store.dir())?;
	if needed.saturating_add(limits.keep_free) > available {
		return Err(FetchError::NoSpace {
			blob,
			dir: store.dir().to_path_buf(),
			needed,
			available,
		});
	}
	// A blob fetched with a grant is served only to its readers, and whoever fetches it is
	// one: otherwise any server of this store would give its pieces to all while it downloads.
	if let Some(grant) = &grant {
		store.add_reader(&blob, &grant.account)?;
	}
	// Opening checks again every piece a resumed download claims: a second a GiB, off the
	// async task.
	let download = {
		let (store, blob) = (store.clone(), blob);
		tokio::task::spawn_blocking(move || store.begin(&blob))
			.await
			.map_err(io::Error::other)??
	};
	let todo = match only {
		Some(pieces) => pieces.into_iter().filter(|&piece| !download.has(piece)).collect(),
		None => shuffled(download.missing())?,
	};
	if todo.is_empty() {
		let path = if probing { store.data_path(&blob)? } else { download.finish(store)? };
		return Ok(Fetched { path, pieces: 0, sources: Vec::new() });
	}

	let mut swarm = wire::swarm(libp2p::identity::Keypair::generate_ed25519(), false, limits.stall)
		.map_err(|e| io::Error::other(e.to_string()))?;
	let mut addresses: Vec<&Multiaddr> = Vec::new();
	for address in sources {
		if !addresses.contains(&address) {
			addresses.push(address);
		}
	}
	let mut sources: Vec<Source> = addresses
		.into_iter()
		.map(|address| {
			let dial = wire::dial_opts(address);
			let connection = dial.connection_id();
			let dropped = swarm.dial(dial).err().map(|e| FetchError::Unreachable {
				address: address.clone(),
				reason: e.to_string(),
			});
			Source {
				address: address.clone(),
				connection,
				peer: None,
				in_flight: 0,
				pieces: 0,
				dropped,
			}
		})
		.collect();
	let mut run = Run {
		blob,
		grant,
		swarm,
		per_source: limits.in_flight.clamp(1, wire::MAX_STREAMS),
		turn: 0,
		stall: limits.stall,
		todo,
		asked: HashMap::new(),
		again: FuturesUnordered::new(),
		busy_since: HashMap::new(),
		download: Some(download),
	};
	let received = run.until_whole(&mut sources).await?;
	let download = run.download.take().ok_or_else(|| io::Error::other("no download"))?;
	let store = store.clone();
	let path = if !probing {
		tokio::task::spawn_blocking(move || download.finish(&store))
			.await
			.map_err(io::Error::other)??
	} else {
		// The pieces a probe asked for are in; the rest never will be.
		store.data_path(&blob)?
	};
	let sources = sources
		.into_iter()
		.map(|s| SourceReport {
			address: s.address,
			peer: s.peer,
			pieces: s.pieces,
			dropped: s.dropped,
		})
		.collect();
	Ok(Fetched { path, pieces: received, sources })
}

/// A source, while a download runs.
struct Source {
	address: Multiaddr,
	/// The one connection dialled to it.
	connection: ConnectionId,
	peer: Option<PeerId>,
	/// Requests sent to it and not yet answered, or waiting to be sent again.
	in_flight: usize,
	pieces: u64,
	dropped: Option<FetchError>,
}

impl Source {
	/// Its peer, if it is connected and still asked for pieces.
	fn ready(&self) -> Option<PeerId> {
		self.peer.filter(|_| self.dropped.is_none())
	}
}

type Again = futures::future::BoxFuture<'static, (usize, u64)>;

/// A download in progress.
struct Run {
	blob: BlobRef,
	grant: Option<Grant>,
	swarm: libp2p::Swarm<wire::Behaviour>,
	per_source: usize,
	/// The source whose turn it is to be asked next.
	turn: usize,
	stall: Duration,
	/// Pieces nobody is asked for yet (those of a dropped source go first).
	todo: VecDeque<u64>,
	/// Requests in flight: which source was asked for which piece.
	asked: HashMap<OutboundRequestId, (usize, u64)>,
	/// Pieces a busy source is asked for again after a pause.
	again: FuturesUnordered<Again>,
	/// Since when a source has refused a piece as busy: for longer than the stall timeout,
	/// and it has stalled.
	busy_since: HashMap<(usize, u64), Instant>,
	/// `None` only while a piece is written.
	download: Option<Download>,
}

impl Run {
	/// Asks the sources for pieces until every piece is written; returns how many were
	/// received.
	async fn until_whole(&mut self, sources: &mut [Source]) -> Result<u64, FetchError> {
		let mut left = self.todo.len();
		let mut received = 0u64;
		while left > 0 {
			self.ask(sources);
			if sources.iter().all(|s| s.dropped.is_some()) {
				return Err(every_failure(sources));
			}
			let event = tokio::select! {
				event = self.swarm.select_next_some() => event,
				Some((at, piece)) = self.again.next(), if !self.again.is_empty() => {
					match sources[at].ready() {
						Some(peer) => self.send(at, peer, piece),
						None => self.todo.push_front(piece),
					}
					continue;
				}
			};
			match event {
				SwarmEvent::ConnectionEstablished { peer_id, connection_id, .. } => {
					let Some(at) = sources.iter().position(|s| s.connection == connection_id)
					else {
						continue;
					};
					if let Some(twin) = sources.iter().find(|s| s.peer == Some(peer_id)) {
						// Left open: requests to the peer may go over either connection, and
						// closing one would fail those on it.
						let reason = format!("the same peer as {}", twin.address);
						let failure = unreachable(&sources[at], reason);
						self.drop_source(sources, at, failure);
						continue;
					}
					sources[at].peer = Some(peer_id);
				}
				SwarmEvent::OutgoingConnectionError { connection_id, error, .. } => {
					if let Some(at) = sources.iter().position(|s| s.connection == connection_id) {
						let failure = unreachable(&sources[at], error.to_string());
						self.drop_source(sources, at, failure);
					}
				}
				SwarmEvent::ConnectionClosed { connection_id, cause, .. } => {
					if let Some(at) = sources.iter().position(|s| s.connection == connection_id) {
						let cause = cause.map_or("closed".into(), |e| e.to_string());
						let reason = format!("the connection ended: {cause}");
						let failure = unreachable(&sources[at], reason);
						self.drop_source(sources, at, failure);
					}
				}
				SwarmEvent::Behaviour(Event::Message {
					peer,
					message: Message::Response { request_id, response },
				}) => {
					let Some((at, piece)) = self.asked.remove(&request_id) else { continue };
					sources[at].in_flight -= 1;
					let failure = match response {
						Answer::Piece(encoded) => match self.write(piece, encoded).await? {
							Ok(()) => {
								self.busy_since.remove(&(at, piece));
								sources[at].pieces += 1;
								received += 1;
								left -= 1;
								continue;
							}
							Err(reason) => FetchError::BadPiece { peer, piece, reason },
						},
						Answer::Missing => FetchError::Missing { peer, blob: self.blob },
						Answer::Invalid => FetchError::Refused { peer, blob: self.blob, piece },
						Answer::Refused => FetchError::NotPermitted { peer, blob: self.blob },
						Answer::Busy => {
							let since =
								*self.busy_since.entry((at, piece)).or_insert_with(Instant::now);
							if since.elapsed() < self.stall {
								sources[at].in_flight += 1;
								self.again.push(Box::pin(async move {
									tokio::time::sleep(wire::BUSY_BACKOFF).await;
									(at, piece)
								}));
								continue;
							}
							FetchError::Stalled { peer, piece, after: self.stall }
						}
					};
					self.todo.push_front(piece);
					self.drop_source(sources, at, failure);
				}
				SwarmEvent::Behaviour(Event::OutboundFailure { peer, request_id, error }) => {
					let Some((at, piece)) = self.asked.remove(&request_id) else { continue };
					sources[at].in_flight -= 1;
					self.todo.push_front(piece);
					let failure = match error {
						OutboundFailure::Timeout => {
							FetchError::Stalled { peer, piece, after: self.stall }
						}
						// Malformed (oversized, an unknown tag): the peer is to blame.
						OutboundFailure::Io(e) if e.kind() == io::ErrorKind::InvalidData => {
							FetchError::BadAnswer { peer, piece, reason: e.to_string() }
						}
						// A connection that ended says so itself, and the source goes then (the
						// request may have gone over another connection to the same peer).
						OutboundFailure::ConnectionClosed | OutboundFailure::DialFailure => {
							continue
						}
						// Reset or cut off: a network fault as much as a lie.
						other => unreachable(&sources[at], other.to_string()),
					};
					self.drop_source(sources, at, failure);
				}
				_ => {}
			}
		}
		Ok(received)
	}

	/// Gives the ready sources requests up to their share, one each in turn from where the
	/// last turn stopped, within the limit for all: with more sources than that limit fills,
	/// every source is still asked in its turn (one never asked would be closed as idle).
	fn ask(&mut self, sources: &mut [Source]) {
		let mut in_flight: usize = sources.iter().map(|s| s.in_flight).sum();
		let mut idle_turns = 0;
		while in_flight < IN_FLIGHT_ALL_SOURCES && idle_turns < sources.len() {
			let at = self.turn % sources.len();
			self.turn = self.turn.wrapping_add(1);
			let source = &mut sources[at];
			let Some(peer) = source.ready().filter(|_| source.in_flight < self.per_source) else {
				idle_turns += 1;
				continue;
			};
			let Some(piece) = self.todo.pop_front() else { return };
			idle_turns = 0;
			source.in_flight += 1;
			in_flight += 1;
			self.send(at, peer, piece);
		}
	}

	fn send(&mut self, at: usize, peer: PeerId, piece: u64) {
		let request = PieceRequest { blob: self.blob, piece, grant: self.grant.clone() };
		self.asked.insert(self.swarm.behaviour_mut().send_request(&peer, request), (at, piece));
	}

	/// Drops source `at` for `failure`, giving the pieces asked of it to the others.
	fn drop_source(&mut self, sources: &mut [Source], at: usize, failure: FetchError) {
		let source = &mut sources[at];
		if source.dropped.is_some() {
			return;
		}
		log::debug!(target: "concord-data", "dropping {}: {failure}", source.address);
		source.dropped = Some(failure);
		source.in_flight = 0;
		let asked: Vec<_> =
			self.asked.iter().filter(|(_, (s, _))| *s == at).map(|(id, _)| *id).collect();
		for id in asked {
			if let Some((_, piece)) = self.asked.remove(&id) {
				self.todo.push_front(piece);
			}
		}
		if source.peer.is_some() {
			self.swarm.close_connection(source.connection);
		}
	}

	/// Checks and writes one piece off the async task (about a millisecond of hashing a
	/// MiB): `Err` for a disk that fails, `Ok(Err)` for a piece that does not prove itself,
	/// of which nothing was kept.
	async fn write(&mut self, piece: u64, encoded: Vec<u8>) -> io::Result<Result<(), String>> {
		let mut download = self.download.take().ok_or_else(|| io::Error::other("no download"))?;
		let (download, result) = tokio::task::spawn_blocking(move || {
			let result = download.write_piece(piece, &encoded);
			(download, result)
		})
		.await
		.map_err(io::Error::other)?;
		self.download = Some(download);
		match result {
			Ok(()) => Ok(Ok(())),
			Err(PieceError::Io(e)) => Err(e),
			Err(bad) => Ok(Err(bad.to_string())),
		}
	}
}

fn unreachable(source: &Source, reason: String) -> FetchError {
	FetchError::Unreachable { address: source.address.clone(), reason }
}

/// Why the download failed once every source is dropped: the one source's reason, or all.
fn every_failure(sources: &mut [Source]) -> FetchError {
	let mut failures: Vec<FetchError> =
		sources.iter_mut().filter_map(|s| s.dropped.take()).collect();
	if failures.len() == 1 {
		failures.remove(0)
	} else {
		FetchError::EverySourceFailed { failures }
	}
}

/// `pieces` in random order.
fn shuffled(mut pieces: Vec<u64>) -> io::Result<VecDeque<u64>> {
	let mut random = vec![0u8; 8 * pieces.len()];
	getrandom::getrandom(&mut random).map_err(io::Error::other)?;
	for i in (1..pieces.len()).rev() {
		let mut draw = [0u8; 8];
		draw.copy_from_slice(&random[8 * i..8 * i + 8]);
		pieces.swap(i, (u64::from_le_bytes(draw) % (i as u64 + 1)) as usize);
	}
	Ok(pieces.into())
}
