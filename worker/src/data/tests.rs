//! The piece protocol on real libp2p over loopback: honest servers, and liars that answer
//! what an attacker would.

use super::{
	tree::{piece_ranges, GROUP},
	wire::{PieceRequest, PROTOCOL},
	*,
};
use bao_tree::io::{outboard::PreOrderMemOutboard, sync::encode_ranges};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use libp2p::{
	request_response::{self, Event, Message, ProtocolSupport},
	swarm::SwarmEvent,
	Multiaddr, PeerId, StreamProtocol,
};
use std::{path::Path, time::Duration};

fn random(len: usize) -> Vec<u8> {
	let mut bytes = vec![0u8; len];
	getrandom::getrandom(&mut bytes).unwrap();
	bytes
}

/// An honest server of `store` on a loopback port; its address, with its peer id.
async fn serving(store: Store) -> Multiaddr {
	serving_all(vec![store]).await
}

/// An honest server of `stores` on a loopback port; its address, with its peer id.
async fn serving_all(stores: Vec<Store>) -> Multiaddr {
	let (tx, rx) = tokio::sync::oneshot::channel();
	let mut tx = Some(tx);
	let identity = libp2p::identity::Keypair::generate_ed25519();
	tokio::spawn(serve("/ip4/127.0.0.1/tcp/0".parse().unwrap(), identity, stores, move |addr| {
		if let Some(tx) = tx.take() {
			let _ = tx.send(addr);
		}
	}));
	rx.await.unwrap()
}

/// A port nothing listens on (bound, then let go).
fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn add(store: &Store, dir: &Path, name: &str, bytes: &[u8]) -> BlobRef {
	let path = dir.join(name);
	std::fs::write(&path, bytes).unwrap();
	store.add(&path).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn blobs_of_every_size_round_trip_exactly() {
	let dir = tempfile::tempdir().unwrap();
	let source = Store::open(&dir.path().join("source")).unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let piece = PIECE_BYTES as usize;
	let group = 16 * 1024;
	let sizes = [0, 1, group - 1, group + 1, piece - 1, piece, piece + 1, 40 * piece + 123];
	let blobs: Vec<(BlobRef, Vec<u8>)> = sizes
		.iter()
		.map(|&size| {
			let bytes = random(size);
			(add(&source, dir.path(), &format!("file-{size}"), &bytes), bytes)
		})
		.collect();
	let address = serving(source).await;
	for (blob, bytes) in &blobs {
		let fetched =
			fetch(*blob, std::slice::from_ref(&address), &sink, Limits::default()).await.unwrap();
		assert_eq!(fetched.pieces, blob.pieces(), "{blob}");
		assert_eq!(&std::fs::read(&fetched.path).unwrap(), bytes, "{blob}");
		assert_eq!(sink.held(blob).unwrap(), Held::Whole, "{blob}");
	}
	// Fetched again, nothing moves.
	let (blob, _) = blobs.last().unwrap();
	assert_eq!(fetch(*blob, &[address], &sink, Limits::default()).await.unwrap().pieces, 0);
}

/// The test's side of the protocol, with no checks: answers are whatever bytes `answer`
/// gives, or none at all (`None`: the request is held open and never answered).
#[derive(Clone, Default)]
struct RawCodec;

#[async_trait::async_trait]
impl request_response::Codec for RawCodec {
	type Protocol = StreamProtocol;
	type Request = PieceRequest;
	type Response = Vec<u8>;

	async fn read_request<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
	) -> std::io::Result<PieceRequest>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut bytes = Vec::new();
		io.take(wire::MAX_REQUEST_BYTES as u64).read_to_end(&mut bytes).await?;
		Ok(codec::Decode::decode(&mut &bytes[..]).unwrap())
	}

	async fn read_response<T>(&mut self, _: &StreamProtocol, _: &mut T) -> std::io::Result<Vec<u8>>
	where
		T: AsyncRead + Unpin + Send,
	{
		unreachable!("the liar only answers")
	}

	async fn write_request<T>(
		&mut self,
		_: &StreamProtocol,
		_: &mut T,
		_: PieceRequest,
	) -> std::io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		unreachable!("the liar only answers")
	}

	async fn write_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		bytes: Vec<u8>,
	) -> std::io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		io.write_all(&bytes).await?;
		io.close().await
	}
}

/// A server that answers each request with `answer(request)`, raw; its address and peer id.
async fn liar(
	answer: impl Fn(PieceRequest) -> Option<Vec<u8>> + Send + 'static,
) -> (Multiaddr, PeerId) {
	let config = request_response::Config::default().with_request_timeout(Duration::from_secs(600));
	let mut swarm = libp2p::SwarmBuilder::with_new_identity()
		.with_tokio()
		.with_tcp(Default::default(), libp2p::noise::Config::new, libp2p::yamux::Config::default)
		.unwrap()
		.with_behaviour(|_| {
			request_response::Behaviour::with_codec(RawCodec, [(PROTOCOL, ProtocolSupport::Full)], config)
		})
		.unwrap()
		// Kept open while idle, as the real server's are (libp2p closes idle ones at once).
		.with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
		.build();
	swarm.listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap()).unwrap();
	let peer = *swarm.local_peer_id();
	let address = loop {
		if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
			break address;
		}
	};
	tokio::spawn(async move {
		let mut held = Vec::new();
		loop {
			if let SwarmEvent::Behaviour(Event::Message {
				message: Message::Request { request, channel, .. },
				..
			}) = swarm.select_next_some().await
			{
				match answer(request) {
					Some(bytes) => {
						let _ = swarm.behaviour_mut().send_response(channel, bytes);
					}
					None => held.push(channel),
				}
			}
		}
	});
	(address, peer)
}

/// A tag byte and what follows it, as the protocol frames a piece.
fn piece_answer(encoded: Vec<u8>) -> Vec<u8> {
	let mut answer = vec![1u8];
	answer.extend(encoded);
	answer
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flipped_bit_is_caught_named_and_never_written() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(dir.path()).unwrap();
	let original = random(3 * PIECE_BYTES as usize + 5);
	let hashes = PreOrderMemOutboard::create(&original, GROUP);
	let blob = BlobRef { root: *hashes.root.as_bytes(), size: original.len() as u64 };
	let flipped_at = PIECE_BYTES as usize + 20_000;
	let mut corrupt = original.clone();
	corrupt[flipped_at] ^= 0x10;
	// Encoded without checking the bytes against the tree, as a liar would.
	let (address, liar_peer) = liar(move |request| {
		let mut encoded = Vec::new();
		encode_ranges(&corrupt[..], &hashes, &piece_ranges(request.piece), &mut encoded).unwrap();
		Some(piece_answer(encoded))
	})
	.await;

	let failed = fetch(blob, &[address], &sink, Limits::default()).await.unwrap_err();
	match failed {
		FetchError::BadPiece { peer, piece, .. } => assert_eq!((peer, piece), (liar_peer, 1)),
		other => panic!("not a bad piece: {other}"),
	}
	let Held::Partial(have) = sink.held(&blob).unwrap() else { panic!("a partial download") };
	assert!(!have[1], "the bad piece is not marked held");
	let written = std::fs::read(sink.data_path(&blob).unwrap()).unwrap();
	assert_eq!(written.len(), original.len());
	assert_eq!(written[flipped_at], 0, "the flipped byte never reached the disk");
	for (at, (written, original)) in written.iter().zip(&original).enumerate() {
		assert!(
			*written == *original || *written == 0,
			"byte {at} is neither verified nor unwritten"
		);
	}
	for piece in (0..blob.pieces()).filter(|p| have[*p as usize]) {
		let range = (piece * PIECE_BYTES) as usize
			..((piece * PIECE_BYTES + blob.piece_len(piece)) as usize);
		assert_eq!(written[range.clone()], original[range], "piece {piece} is marked held");
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_or_garbage_answer_is_refused_by_name() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(dir.path()).unwrap();
	let bytes = random(1000);
	let blob = BlobRef { root: *bao_tree::blake3::hash(&bytes).as_bytes(), size: 1000 };
	for (what, answer) in [
		("oversized", piece_answer(vec![0; MAX_ENCODED_PIECE as usize + 1])),
		("an unknown tag", vec![9, 1, 2, 3]),
	] {
		let (address, liar_peer) = liar(move |_| Some(answer.clone())).await;
		match fetch(blob, &[address], &sink, Limits::default()).await.unwrap_err() {
			FetchError::BadAnswer { peer, piece, .. } => assert_eq!((peer, piece), (liar_peer, 0)),
			other => panic!("{what}: not a bad answer: {other}"),
		}
	}
	// Bytes that are no encoding of the piece at all, and the true encoding one byte short or
	// one byte long.
	let hashes = PreOrderMemOutboard::create(&bytes, GROUP);
	let mut encoded = Vec::new();
	encode_ranges(&bytes[..], &hashes, &piece_ranges(0), &mut encoded).unwrap();
	let short = encoded[..encoded.len() - 1].to_vec();
	let long = [&encoded[..], &[0]].concat();
	for (what, answer) in [("garbage", random(1000 + 64)), ("short", short), ("long", long)] {
		let (address, liar_peer) = liar(move |_| Some(piece_answer(answer.clone()))).await;
		match fetch(blob, &[address], &sink, Limits::default()).await.unwrap_err() {
			FetchError::BadPiece { peer, .. } => assert_eq!(peer, liar_peer),
			other => panic!("{what}: not a bad piece: {other}"),
		}
	}
	// The true encoding one byte long wrote its verified bytes before the extra byte showed,
	// and only those: the piece is still not held.
	let written = std::fs::read(sink.data_path(&blob).unwrap()).unwrap();
	assert!(written == vec![0; 1000] || written == bytes, "only verified bytes, if any");
	assert_eq!(sink.held(&blob).unwrap(), Held::Partial(vec![false]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_source_that_never_answers_is_stalled() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(dir.path()).unwrap();
	let blob = BlobRef { root: [3; 32], size: 5 * PIECE_BYTES };
	let (address, liar_peer) = liar(|_| None).await;
	let limits = Limits { stall: Duration::from_secs(2), ..Limits::default() };
	let started = std::time::Instant::now();
	match fetch(blob, &[address], &sink, limits).await.unwrap_err() {
		FetchError::Stalled { peer, after, .. } => {
			assert_eq!((peer, after), (liar_peer, limits.stall))
		}
		other => panic!("not stalled: {other}"),
	}
	assert!(started.elapsed() >= limits.stall, "gave up before the stall timeout");
}

/// A source that only ever says it is busy holds the download no longer than one that
/// says nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_source_that_is_always_busy_is_stalled() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(dir.path()).unwrap();
	let blob = BlobRef { root: [3; 32], size: 5 * PIECE_BYTES };
	let (address, liar_peer) = liar(|_| Some(vec![3])).await;
	let limits = Limits { stall: Duration::from_secs(2), ..Limits::default() };
	match fetch(blob, &[address], &sink, limits).await.unwrap_err() {
		FetchError::Stalled { peer, .. } => assert_eq!(peer, liar_peer),
		other => panic!("not stalled: {other}"),
	}
}

/// A download the disk has no room for is refused before it writes anything.
#[tokio::test(flavor = "multi_thread")]
async fn a_blob_the_disk_has_no_room_for_is_refused_before_any_byte() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let blob = BlobRef { root: [3; 32], size: MAX_BLOB_BYTES };
	let free = fs2::available_space(dir.path()).unwrap();
	let limits = Limits { keep_free: free, ..Limits::default() };
	let unused: Multiaddr = format!("/ip4/127.0.0.1/tcp/{}", free_port()).parse().unwrap();
	match fetch(blob, &[unused], &sink, limits).await.unwrap_err() {
		FetchError::NoSpace { needed, .. } => {
			assert_eq!(needed, MAX_BLOB_BYTES + blob.tree().outboard_size())
		}
		other => panic!("not refused for space: {other}"),
	}
	assert_eq!(std::fs::read_dir(sink.dir()).unwrap().count(), 0, "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_size_or_root_finds_nothing_and_says_so() {
	let dir = tempfile::tempdir().unwrap();
	let source = Store::open(&dir.path().join("source")).unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let blob = add(&source, dir.path(), "file", &random(2 * PIECE_BYTES as usize));
	let address = serving(source).await;
	let server: PeerId = match address.iter().last() {
		Some(libp2p::multiaddr::Protocol::P2p(peer)) => peer,
		_ => panic!("the address names the server"),
	};
	let wrong_size = BlobRef { size: blob.size - 1, ..blob };
	let mut wrong_root = blob;
	wrong_root.root[0] ^= 1;
	for wrong in [wrong_size, wrong_root] {
		match fetch(wrong, std::slice::from_ref(&address), &sink, Limits::default())
			.await
			.unwrap_err()
		{
			FetchError::Missing { peer, blob } => assert_eq!((peer, blob), (server, wrong)),
			other => panic!("{wrong}: not missing: {other}"),
		}
	}
	let empty = BlobRef { root: [1; 32], size: 0 };
	assert!(matches!(
		fetch(empty, std::slice::from_ref(&address), &sink, Limits::default()).await.unwrap_err(),
		FetchError::NotEmptyRoot { .. }
	));
	let unreachable: Multiaddr = format!("/ip4/127.0.0.1/tcp/{}", free_port()).parse().unwrap();
	assert!(matches!(
		fetch(blob, &[unreachable], &sink, Limits::default()).await.unwrap_err(),
		FetchError::Unreachable { .. }
	));
}

/// A file changed after it was added is never served as the blob.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_changed_since_it_was_added_is_not_served() {
	let dir = tempfile::tempdir().unwrap();
	let source = Store::open(&dir.path().join("source")).unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let mut bytes = random(PIECE_BYTES as usize + 10);
	let blob = add(&source, dir.path(), "file", &bytes);
	bytes[5] ^= 1;
	std::fs::write(dir.path().join("file"), &bytes).unwrap();
	let address = serving(source.clone()).await;
	assert!(matches!(
		fetch(blob, std::slice::from_ref(&address), &sink, Limits::default()).await.unwrap_err(),
		FetchError::Missing { .. }
	));
	// Nor given by the store it was added to.
	assert!(matches!(
		fetch(blob, &[address], &source, Limits::default()).await.unwrap_err(),
		FetchError::ChangedSinceAdded { .. }
	));
}

/// A download resumed keeps the pieces whose bytes prove themselves and gets the others
/// again, so a bit written before its bytes were lost costs one piece, never a wrong byte.
#[tokio::test(flavor = "multi_thread")]
async fn a_resumed_download_keeps_only_the_pieces_that_prove_themselves() {
	let dir = tempfile::tempdir().unwrap();
	let source = Store::open(&dir.path().join("source")).unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let bytes = random(3 * PIECE_BYTES as usize);
	let blob = add(&source, dir.path(), "file", &bytes);
	let hashes = PreOrderMemOutboard::create(&bytes, GROUP);
	let mut download = sink.begin(&blob).unwrap();
	for piece in [0, 2] {
		let mut encoded = Vec::new();
		encode_ranges(&bytes[..], &hashes, &piece_ranges(piece), &mut encoded).unwrap();
		download.write_piece(piece, &encoded).unwrap();
	}
	drop(download);
	// Piece 2's bytes lost after its bit was written.
	let data = sink.data_path(&blob).unwrap();
	let mut written = std::fs::read(&data).unwrap();
	written[2 * PIECE_BYTES as usize + 7] ^= 0xff;
	std::fs::write(&data, &written).unwrap();

	let resumed = sink.begin(&blob).unwrap();
	assert_eq!(resumed.missing(), vec![1, 2]);
	drop(resumed);
	let address = serving(source).await;
	let fetched = fetch(blob, &[address], &sink, Limits::default()).await.unwrap();
	assert_eq!(fetched.pieces, 2);
	assert_eq!(std::fs::read(fetched.path).unwrap(), bytes);
}

/// Downloads left unfinished go once unwritten for the age; whole blobs stay, however old
/// (their retention is another rule: `provider::retention`).
#[test]
fn pruning_removes_only_the_unfinished_downloads_written_before_the_age() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path()).unwrap();
	let blob = BlobRef { root: *bao_tree::blake3::hash(&[7; 3000]).as_bytes(), size: 3000 };
	drop(store.begin(&blob).unwrap());
	let files = std::fs::read_dir(dir.path()).unwrap().count();
	assert_eq!(files, 3, "data, tree and bitfield");
	let elsewhere = tempfile::tempdir().unwrap();
	let whole = add(&store, elsewhere.path(), "whole", &[8; 3000]);
	let hour = std::time::Duration::from_secs(3600);
	let now = std::time::SystemTime::now();
	assert_eq!(store.prune_unfinished(hour, now).unwrap(), 0, "all written just now");
	assert_eq!(store.held(&blob).unwrap(), Held::Partial(vec![false]));
	assert_eq!(store.prune_unfinished(hour, now + 2 * hour).unwrap(), 3);
	assert_eq!(store.held(&blob).unwrap(), Held::Nothing);
	assert_eq!(store.held(&whole).unwrap(), Held::Whole, "a whole blob is not unfinished");
	assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "its tree and its path");
}

/// A provider serves its inputs and its outputs from two stores at one address: an input to
/// anyone who names it, an output only against a reader's grant, whichever store holds it.
#[tokio::test(flavor = "multi_thread")]
async fn one_server_answers_from_every_store_it_serves_each_by_its_own_rule() {
	use sp_core::{sr25519, Pair};
	let dir = tempfile::tempdir().unwrap();
	let inputs = Store::open(&dir.path().join("inputs")).unwrap();
	let results = Store::open(&dir.path().join("results")).unwrap();
	let input = random(2 * PIECE_BYTES as usize + 5);
	let input_blob = add(&inputs, dir.path(), "input", &input);
	let dave = sr25519::Pair::from_string("//Dave", None).unwrap();
	let output = random(PIECE_BYTES as usize + 3);
	let root = *bao_tree::blake3::hash(&output).as_bytes();
	std::fs::write(dir.path().join("output"), &output).unwrap();
	let output_blob = results.adopt(&dir.path().join("output"), &root, &dave.public().0).unwrap();
	let server = serving_all(vec![results, inputs]).await;

	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let sources = std::slice::from_ref(&server);
	let fetched = fetch(input_blob, sources, &sink, Limits::default()).await.unwrap();
	assert_eq!(std::fs::read(fetched.path).unwrap(), input, "from the second store");
	let refused = fetch(output_blob, sources, &sink, Limits::default()).await.unwrap_err();
	assert!(matches!(refused, FetchError::NotPermitted { .. }), "{refused}");
	let granted = Grant::sign(&dave, &root);
	let fetched =
		fetch_granted(output_blob, sources, &sink, Limits::default(), granted).await.unwrap();
	assert_eq!(std::fs::read(fetched.path).unwrap(), output);
	let unknown = BlobRef { root: [3; 32], size: 10 };
	let missing = fetch(unknown, sources, &sink, Limits::default()).await.unwrap_err();
	assert!(matches!(missing, FetchError::Missing { .. }), "{missing}");
}

/// A server that encodes pieces of `bytes` against the true tree of `original` without
/// checking them, as a liar would; its address and peer id.
async fn lying_about(original: &[u8], bytes: Vec<u8>) -> (Multiaddr, PeerId) {
	let hashes = PreOrderMemOutboard::create(original, GROUP);
	liar(move |request| {
		let mut encoded = Vec::new();
		encode_ranges(&bytes[..], &hashes, &piece_ranges(request.piece), &mut encoded).unwrap();
		Some(piece_answer(encoded))
	})
	.await
}

/// `bytes` with one bit flipped in every piece: nothing a liar serving it sends proves itself.
fn flipped_in_every_piece(bytes: &[u8]) -> Vec<u8> {
	let mut corrupt = bytes.to_vec();
	for at in (0..corrupt.len()).step_by(PIECE_BYTES as usize) {
		corrupt[at + 1] ^= 0x01;
	}
	corrupt
}

fn peer_of(address: &Multiaddr) -> PeerId {
	match address.iter().last() {
		Some(libp2p::multiaddr::Protocol::P2p(peer)) => peer,
		_ => panic!("{address} names no peer"),
	}
}

/// Three sources, one of them lying about every piece: the download completes from the other
/// two, every piece of it verified, and the liar is named with none of its pieces kept.
#[tokio::test(flavor = "multi_thread")]
async fn three_sources_one_lying_the_liar_is_named_and_none_of_its_pieces_kept() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let bytes = random(24 * PIECE_BYTES as usize + 777);
	let mut honest = Vec::new();
	let mut blob = None;
	for name in ["one", "two"] {
		let store = Store::open(&dir.path().join(name)).unwrap();
		blob = Some(add(&store, dir.path(), &format!("{name}.bin"), &bytes));
		honest.push(serving(store).await);
	}
	let blob = blob.unwrap();
	let (liar_address, liar_peer) = lying_about(&bytes, flipped_in_every_piece(&bytes)).await;
	// The liar first, so that it is asked before the others have taken every piece.
	let sources = [liar_address.clone(), honest[0].clone(), honest[1].clone()];
	let fetched = fetch(blob, &sources, &sink, Limits::default()).await.unwrap();

	assert_eq!(std::fs::read(&fetched.path).unwrap(), bytes);
	assert_eq!(fetched.pieces, blob.pieces());
	let bad: Vec<_> = fetched.bad_sources().map(|s| (s.address.clone(), s.peer)).collect();
	assert_eq!(bad, vec![(liar_address, Some(liar_peer))], "the liar, and only it, is named");
	let liar = &fetched.sources[0];
	assert_eq!(liar.pieces, 0, "no piece of the liar's was kept");
	assert!(
		matches!(liar.dropped, Some(FetchError::BadPiece { peer, .. }) if peer == liar_peer),
		"{:?}",
		liar.dropped
	);
	let from_honest: u64 = fetched.sources[1..].iter().map(|s| s.pieces).sum();
	assert_eq!(from_honest, blob.pieces(), "every piece came from an honest source");
	assert!(fetched.sources[1..].iter().all(|s| s.dropped.is_none()));
}

/// Pieces are shared among honest sources, not all taken from the first: six sources, more
/// than the requests in flight for all of them allow at their share each, and each is asked in
/// its turn.
#[tokio::test(flavor = "multi_thread")]
async fn honest_sources_share_the_pieces() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let bytes = random(48 * PIECE_BYTES as usize);
	let mut sources = Vec::new();
	let mut blob = None;
	const { assert!(6 * IN_FLIGHT > IN_FLIGHT_ALL_SOURCES) };
	for name in ["one", "two", "three", "four", "five", "six"] {
		let store = Store::open(&dir.path().join(name)).unwrap();
		blob = Some(add(&store, dir.path(), &format!("{name}.bin"), &bytes));
		sources.push(serving(store).await);
	}
	let blob = blob.unwrap();
	let fetched = fetch(blob, &sources, &sink, Limits::default()).await.unwrap();
	assert_eq!(std::fs::read(&fetched.path).unwrap(), bytes);
	let peers: Vec<_> = fetched.sources.iter().map(|s| s.peer).collect();
	assert_eq!(peers, sources.iter().map(|a| Some(peer_of(a))).collect::<Vec<_>>());
	for source in &fetched.sources {
		assert!(source.pieces > 0, "{} sent nothing: {:?}", source.address, fetched.sources);
		assert!(source.dropped.is_none());
	}
}

/// A source that takes requests and never answers holds its pieces only until the stall
/// timeout: they finish at the others, and the staller is named as stalled, not as a liar.
#[tokio::test(flavor = "multi_thread")]
async fn a_stalling_sources_pieces_finish_elsewhere() {
	let dir = tempfile::tempdir().unwrap();
	let source = Store::open(&dir.path().join("source")).unwrap();
	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let bytes = random(12 * PIECE_BYTES as usize);
	let blob = add(&source, dir.path(), "file", &bytes);
	let honest = serving(source).await;
	let (staller, staller_peer) = liar(|_| None).await;
	let limits = Limits { stall: Duration::from_secs(2), ..Limits::default() };
	let started = std::time::Instant::now();
	let fetched = fetch(blob, &[staller.clone(), honest], &sink, limits).await.unwrap();
	assert_eq!(std::fs::read(&fetched.path).unwrap(), bytes);
	let stalled = &fetched.sources[0];
	assert_eq!(stalled.pieces, 0);
	assert!(
		matches!(stalled.dropped, Some(FetchError::Stalled { peer, .. }) if peer == staller_peer),
		"{:?}",
		stalled.dropped
	);
	assert_eq!(fetched.bad_sources().count(), 0, "a staller is not a liar");
	assert_eq!(fetched.sources[1].pieces, blob.pieces());
	assert!(started.elapsed() >= limits.stall, "its pieces waited for the stall timeout");
}

/// Every source lying: a named error that lists each of them, and nothing unverified kept.
#[tokio::test(flavor = "multi_thread")]
async fn every_source_lying_is_a_named_error() {
	let dir = tempfile::tempdir().unwrap();
	let sink = Store::open(dir.path()).unwrap();
	let bytes = random(4 * PIECE_BYTES as usize);
	let mut liars = Vec::new();
	for _ in 0..3 {
		liars.push(lying_about(&bytes, flipped_in_every_piece(&bytes)).await);
	}
	let hashes = PreOrderMemOutboard::create(&bytes, GROUP);
	let blob = BlobRef { root: *hashes.root.as_bytes(), size: bytes.len() as u64 };
	let sources: Vec<_> = liars.iter().map(|(address, _)| address.clone()).collect();
	match fetch(blob, &sources, &sink, Limits::default()).await.unwrap_err() {
		FetchError::EverySourceFailed { failures } => {
			let mut named: Vec<PeerId> = failures
				.iter()
				.map(|f| match f {
					FetchError::BadPiece { peer, .. } => *peer,
					other => panic!("not a bad piece: {other}"),
				})
				.collect();
			let mut expected: Vec<PeerId> = liars.iter().map(|(_, peer)| *peer).collect();
			named.sort();
			expected.sort();
			assert_eq!(named, expected);
		}
		other => panic!("not every source failing: {other}"),
	}
	assert_eq!(sink.held(&blob).unwrap(), Held::Partial(vec![false; 4]), "nothing kept");
}

/// A job's output is served, piece by piece, only to requests carrying a grant from one of its
/// readers for its root: not without one, not with another account's, not with a reader's
/// grant for another blob.
#[tokio::test(flavor = "multi_thread")]
async fn an_output_is_served_only_against_a_grant_from_one_of_its_readers() {
	use sp_core::{sr25519, Pair};
	let dir = tempfile::tempdir().unwrap();
	let results = Store::open(&dir.path().join("results")).unwrap();
	let dave = sr25519::Pair::from_string("//Dave", None).unwrap();
	let eve = sr25519::Pair::from_string("//Eve", None).unwrap();
	let output = random(3 * PIECE_BYTES as usize + 9);
	let root = *bao_tree::blake3::hash(&output).as_bytes();
	std::fs::write(dir.path().join("output"), &output).unwrap();
	let blob = results.adopt(&dir.path().join("output"), &root, &dave.public().0).unwrap();
	assert_eq!(blob, BlobRef { root, size: output.len() as u64 });
	let server = serving(results.clone()).await;
	let peer = peer_of(&server);

	let sink = Store::open(&dir.path().join("sink")).unwrap();
	let fetched = fetch_granted(
		blob,
		std::slice::from_ref(&server),
		&sink,
		Limits::default(),
		Grant::sign(&dave, &root),
	)
	.await
	.unwrap();
	assert_eq!(std::fs::read(fetched.path).unwrap(), output);
	// The downloader's store keeps it for its readers too: whoever serves that store (`blob
	// serve`) gives it to no one else.
	assert_eq!(sink.readers(&blob).unwrap(), Some(vec![dave.public().0]));
	assert_eq!(sink.access(&blob, None).unwrap(), Access::Refused);

	let other = Store::open(&dir.path().join("other")).unwrap();
	let refused = |failure: FetchError| match failure {
		FetchError::NotPermitted { peer: from, blob: of } => assert_eq!((from, of), (peer, blob)),
		other => panic!("not refused: {other}"),
	};
	refused(
		fetch(blob, std::slice::from_ref(&server), &other, Limits::default()).await.unwrap_err(),
	);
	let by_eve = Grant::sign(&eve, &root);
	refused(
		fetch_granted(blob, std::slice::from_ref(&server), &other, Limits::default(), by_eve)
			.await
			.unwrap_err(),
	);
	let stolen = Grant { account: dave.public().0, ..Grant::sign(&eve, &root) };
	refused(
		fetch_granted(blob, std::slice::from_ref(&server), &other, Limits::default(), stolen)
			.await
			.unwrap_err(),
	);
	let elsewhere = Grant::sign(&dave, &[7; 32]);
	refused(
		fetch_granted(blob, std::slice::from_ref(&server), &other, Limits::default(), elsewhere)
			.await
			.unwrap_err(),
	);
	assert_eq!(other.held(&blob).unwrap(), Held::Partial(vec![false; 4]), "nothing was given");

	// Eve becomes a reader (another job of hers attested with the same output): her grant works.
	results.add_reader(&blob, &eve.public().0).unwrap();
	results.add_reader(&blob, &eve.public().0).unwrap();
	assert_eq!(results.readers(&blob).unwrap(), Some(vec![dave.public().0, eve.public().0]));
	let by_eve = Grant::sign(&eve, &root);
	let fetched = fetch_granted(blob, &[server], &other, Limits::default(), by_eve).await.unwrap();
	assert_eq!(std::fs::read(fetched.path).unwrap(), output);
	// A blob added in place has no readers: anyone may fetch it.
	assert_eq!(results.readers(&add(&results, dir.path(), "input", b"in")).unwrap(), None);
}

/// A probe passes a source that holds the blob and fails one that holds part of it, lies, or
/// holds nothing, and keeps nothing either way.
#[tokio::test(flavor = "multi_thread")]
async fn a_probe_passes_only_a_source_that_serves_the_pieces_it_draws() {
	let dir = tempfile::tempdir().unwrap();
	let whole = Store::open(&dir.path().join("whole")).unwrap();
	let bytes = random(PIECE_BYTES as usize + 77);
	let blob = add(&whole, dir.path(), "blob", &bytes);
	assert_eq!(blob.pieces() as usize, PROBED_PIECES, "every piece is drawn");
	// A source that holds piece 0 only.
	let half = Store::open(&dir.path().join("half")).unwrap();
	let mut download = half.begin(&blob).unwrap();
	download.write_piece(0, &whole.encode_piece(&blob, 0).unwrap().unwrap()).unwrap();
	drop(download);
	let scratch = dir.path().join("scratch");
	let limits = Limits { stall: Duration::from_secs(5), ..Limits::default() };

	let honest = serving(whole).await;
	probe(blob, &honest, &scratch, limits).await.unwrap();
	assert!(!scratch.exists(), "nothing kept");
	let partial = serving(half).await;
	let failed = probe(blob, &partial, &scratch, limits).await.unwrap_err();
	assert!(matches!(failed, FetchError::Missing { .. }), "{failed}");
	let (liar, _) = lying_about(&bytes, flipped_in_every_piece(&bytes)).await;
	let failed = probe(blob, &liar, &scratch, limits).await.unwrap_err();
	assert!(failed.is_bad_data(), "{failed}");
	let empty = serving(Store::open(&dir.path().join("empty")).unwrap()).await;
	assert!(probe(blob, &empty, &scratch, limits).await.is_err());
	assert!(!scratch.exists(), "nothing kept");
}

/// The gateway names a blob by its root alone: `find` gives the whole one with that root,
/// whether its bytes are the store's own or a file added in place, and nothing for a download
/// under way or a root it does not hold.
#[test]
fn find_names_a_whole_blob_by_its_root_alone() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(&dir.path().join("store")).unwrap();
	let in_place = add(&store, dir.path(), "added", &[5; 5000]);
	assert_eq!(store.find(&in_place.root).unwrap(), Some(in_place));
	let output = [6u8; 7000];
	let root = *bao_tree::blake3::hash(&output).as_bytes();
	std::fs::write(dir.path().join("output"), output).unwrap();
	let adopted = store.adopt(&dir.path().join("output"), &root, &[9; 32]).unwrap();
	assert_eq!(store.find(&root).unwrap(), Some(adopted));
	let partial = BlobRef { root: *bao_tree::blake3::hash(&[7; 3000]).as_bytes(), size: 3000 };
	drop(store.begin(&partial).unwrap());
	assert_eq!(store.find(&partial.root).unwrap(), None, "not whole");
	assert_eq!(store.find(&[1; 32]).unwrap(), None);
}
