//! `/concord/blob/4`, the piece protocol: libp2p request-response over TCP with Noise and
//! yamux. A request names a blob and one of its pieces, with a [`Grant`] where the blob is
//! served only to its readers (49 or 145 bytes of SCALE); the answer is a tag byte, then for a
//! piece its bao encoding, verified by whoever receives it. Every limit is checked by both
//! ends.

use super::{
	grant::Grant,
	tree::{BlobRef, MAX_ENCODED_PIECE},
};
use codec::{Decode, Encode};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use std::{io, time::Duration};

pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/concord/blob/4");

/// A request's most bytes: the blob's root and size, the piece's index, and an optional grant
/// (its tag, account and signature).
pub const MAX_REQUEST_BYTES: usize = 32 + 8 + 8 + 1 + 32 + 64;

/// Requests one downloader keeps in flight to one source: enough to keep a link busy while a
/// piece is checked, few enough that memory stays at a few MiB.
pub const IN_FLIGHT: usize = 4;

/// Requests one downloader keeps in flight to all its sources together.
pub const IN_FLIGHT_ALL_SOURCES: usize = 16;

/// How long a request may wait for its whole answer before its source counts as stalled: a
/// piece is 1 MiB, so this fails only links slower than about 35 KiB/s.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers a server holds at once (read, checked or being written), over all its peers, so
/// that its memory stays at about as many MiB however many peers ask and however slowly they
/// read; more requests are answered `Busy`, as are those of a peer already holding
/// [`IN_FLIGHT`].
pub const MAX_ANSWERS: usize = 16;

/// How long a downloader waits before asking again for a piece its source was busy for.
pub const BUSY_BACKOFF: Duration = Duration::from_millis(200);

/// Streams a connection may hold open at once (libp2p drops inbound streams beyond it).
pub const MAX_STREAMS: usize = 32;

/// Connections a server keeps at once; it closes the ones beyond, so that peers cannot take
/// all its file descriptors.
pub const MAX_CONNECTIONS: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PieceRequest {
	pub blob: BlobRef,
	pub piece: u64,
	/// What lets the asker read a blob served only to its readers (a job's output).
	pub grant: Option<Grant>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
	/// The server does not hold this piece of this blob (root and size both).
	Missing,
	/// The piece's bao encoding: its bytes and the hashes that prove them.
	Piece(Vec<u8>),
	/// A blob over the limits, or a piece past its end.
	Invalid,
	/// The server is working on as many requests as it takes; ask again later.
	Busy,
	/// The server holds the blob, serves it only to its readers, and the request carries no
	/// grant from one of them for this blob.
	Refused,
}

const MISSING: u8 = 0;
const PIECE: u8 = 1;
const INVALID: u8 = 2;
const BUSY: u8 = 3;
const REFUSED: u8 = 4;

fn invalid(what: &str) -> io::Error {
	io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

#[derive(Clone, Default)]
pub struct PieceCodec;

#[async_trait::async_trait]
impl libp2p::request_response::Codec for PieceCodec {
	type Protocol = StreamProtocol;
	type Request = PieceRequest;
	type Response = Answer;

	async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<PieceRequest>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut bytes = Vec::with_capacity(MAX_REQUEST_BYTES + 1);
		io.take(MAX_REQUEST_BYTES as u64 + 1).read_to_end(&mut bytes).await?;
		let mut rest = &bytes[..];
		match PieceRequest::decode(&mut rest) {
			Ok(request) if rest.is_empty() => Ok(request),
			_ => Err(invalid("not a piece request")),
		}
	}

	async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Answer>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut tag = [0u8; 1];
		io.read_exact(&mut tag).await?;
		match tag[0] {
			MISSING => Ok(Answer::Missing),
			INVALID => Ok(Answer::Invalid),
			BUSY => Ok(Answer::Busy),
			REFUSED => Ok(Answer::Refused),
			PIECE => {
				// Room for the largest answer at once: grown by doubling, one answer could take
				// twice its size.
				let mut encoded = Vec::with_capacity(MAX_ENCODED_PIECE as usize + 1);
				io.take(MAX_ENCODED_PIECE + 1).read_to_end(&mut encoded).await?;
				if encoded.len() as u64 > MAX_ENCODED_PIECE {
					return Err(invalid("an answer longer than any encoded piece"));
				}
				Ok(Answer::Piece(encoded))
			}
			_ => Err(invalid("not a piece answer")),
		}
	}

	async fn write_request<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		request: PieceRequest,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		io.write_all(&request.encode()).await?;
		io.close().await
	}

	async fn write_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		answer: Answer,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		match answer {
			Answer::Missing => io.write_all(&[MISSING]).await?,
			Answer::Invalid => io.write_all(&[INVALID]).await?,
			Answer::Busy => io.write_all(&[BUSY]).await?,
			Answer::Refused => io.write_all(&[REFUSED]).await?,
			Answer::Piece(encoded) => {
				if encoded.len() as u64 > MAX_ENCODED_PIECE {
					return Err(invalid("an encoded piece over the limit"));
				}
				io.write_all(&[PIECE]).await?;
				io.write_all(&encoded).await?;
			}
		}
		io.close().await
	}
}

pub type Behaviour = libp2p::request_response::Behaviour<PieceCodec>;

/// A swarm speaking only the piece protocol, as `identity`; `serve` says whether it answers
/// requests or only makes them. A request fails after `stall` without its whole answer.
pub fn swarm(
	identity: libp2p::identity::Keypair,
	serve: bool,
	stall: Duration,
) -> anyhow::Result<libp2p::Swarm<Behaviour>> {
	use libp2p::request_response::{Config, ProtocolSupport};
	let support = if serve { ProtocolSupport::Full } else { ProtocolSupport::Outbound };
	let config =
		Config::default().with_request_timeout(stall).with_max_concurrent_streams(MAX_STREAMS);
	Ok(libp2p::SwarmBuilder::with_existing_identity(identity)
		.with_tokio()
		.with_tcp(
			libp2p::tcp::Config::default().nodelay(true),
			libp2p::noise::Config::new,
			libp2p::yamux::Config::default,
		)?
		.with_behaviour(|_| Behaviour::with_codec(PieceCodec, [(PROTOCOL, support)], config))?
		.with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(30)))
		.build())
}

/// How to dial `address`: if it ends in `/p2p/<peer id>`, only that peer will do (Noise checks
/// its identity); otherwise whoever answers there. Dialled even if the peer is connected or
/// dialled already at another address, which may be the one that works.
pub fn dial_opts(address: &libp2p::Multiaddr) -> libp2p::swarm::dial_opts::DialOpts {
	use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
	let peer = address.iter().find_map(|p| match p {
		libp2p::multiaddr::Protocol::P2p(peer) => Some(peer),
		_ => None,
	});
	match peer {
		Some(peer) => DialOpts::peer_id(peer)
			.condition(PeerCondition::Always)
			.addresses(vec![address.clone()])
			.build(),
		None => DialOpts::unknown_peer_id().address(address.clone()).build(),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	use libp2p::request_response::Codec;

	#[tokio::test]
	async fn a_request_is_exactly_its_bytes() {
		let blob = BlobRef { root: [7; 32], size: 1 << 32 };
		let open = PieceRequest { blob, piece: 4095, grant: None };
		assert_eq!(open.encode().len(), MAX_REQUEST_BYTES - 96);
		let grant = Some(Grant { account: [1; 32], signature: [2; 64] });
		let granted = PieceRequest { grant, ..open.clone() };
		assert_eq!(granted.encode().len(), MAX_REQUEST_BYTES);
		for request in [open, granted] {
			let mut wire = futures::io::Cursor::new(request.encode());
			assert_eq!(PieceCodec.read_request(&PROTOCOL, &mut wire).await.unwrap(), request);
			// A byte past its end makes it no request.
			let mut long = futures::io::Cursor::new([request.encode(), vec![0]].concat());
			assert!(PieceCodec.read_request(&PROTOCOL, &mut long).await.is_err());
		}
	}

	/// The sending end keeps the limits too: a server never writes an answer no client would
	/// read, and a request short of its bytes is no request.
	#[tokio::test]
	async fn both_ends_keep_the_limits() {
		let mut sink = futures::io::Cursor::new(Vec::new());
		let oversized = Answer::Piece(vec![0; MAX_ENCODED_PIECE as usize + 1]);
		let written = PieceCodec.write_response(&PROTOCOL, &mut sink, oversized).await;
		assert_eq!(written.unwrap_err().kind(), io::ErrorKind::InvalidData);
		assert!(sink.get_ref().is_empty(), "nothing of it was written");

		let largest = Answer::Piece(vec![5; MAX_ENCODED_PIECE as usize]);
		PieceCodec.write_response(&PROTOCOL, &mut sink, largest.clone()).await.unwrap();
		let mut wire = futures::io::Cursor::new(sink.into_inner());
		assert_eq!(PieceCodec.read_response(&PROTOCOL, &mut wire).await.unwrap(), largest);

		let mut short = futures::io::Cursor::new(vec![0u8; MAX_REQUEST_BYTES - 97]);
		assert!(PieceCodec.read_request(&PROTOCOL, &mut short).await.is_err());
		let mut unknown = futures::io::Cursor::new(vec![7u8]);
		let answer = PieceCodec.read_response(&PROTOCOL, &mut unknown).await;
		assert_eq!(answer.unwrap_err().kind(), io::ErrorKind::InvalidData);
	}
}
