//! The wire format. Request: the blob's 32-byte hash, then the 96-byte [`Grant`] (account,
//! signature). Response: `0` (not here), `2` (here, but the grant does not permit it), or `1`
//! then the bytes, up to the end of the stream.

use super::{Answer, BlobRequest, Grant, MAX_BLOB_BYTES};
use codec::{Decode, Encode};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use std::io;

const REQUEST_BYTES: usize = 32 + 96;

#[derive(Clone, Default)]
pub struct BlobCodec;

#[async_trait::async_trait]
impl libp2p::request_response::Codec for BlobCodec {
	type Protocol = StreamProtocol;
	type Request = BlobRequest;
	type Response = Answer;

	async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<BlobRequest>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut bytes = [0u8; REQUEST_BYTES];
		io.read_exact(&mut bytes).await?;
		let mut hash = [0u8; 32];
		hash.copy_from_slice(&bytes[..32]);
		let grant = Grant::decode(&mut &bytes[32..])
			.map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not a grant"))?;
		Ok(BlobRequest { hash, grant })
	}

	async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Answer>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut found = [0u8; 1];
		io.read_exact(&mut found).await?;
		match found[0] {
			0 => Ok(Answer::Missing),
			2 => Ok(Answer::Refused),
			1 => {
				let mut blob = Vec::new();
				io.take(MAX_BLOB_BYTES + 1).read_to_end(&mut blob).await?;
				if blob.len() as u64 > MAX_BLOB_BYTES {
					return Err(io::Error::new(io::ErrorKind::InvalidData, "blob too large"));
				}
				Ok(Answer::Blob(blob))
			}
			_ => Err(io::Error::new(io::ErrorKind::InvalidData, "not a blob response")),
		}
	}

	async fn write_request<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		request: BlobRequest,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		io.write_all(&request.hash).await?;
		io.write_all(&request.grant.encode()).await?;
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
			Answer::Missing => io.write_all(&[0]).await?,
			Answer::Refused => io.write_all(&[2]).await?,
			Answer::Blob(blob) => {
				io.write_all(&[1]).await?;
				io.write_all(&blob).await?;
			}
		}
		io.close().await
	}
}

/// A swarm speaking only the blob protocol, as `identity`.
pub fn swarm(
	identity: libp2p::identity::Keypair,
	serve: bool,
) -> anyhow::Result<libp2p::Swarm<libp2p::request_response::Behaviour<BlobCodec>>> {
	use libp2p::request_response::{Behaviour, Config, ProtocolSupport};
	let support = if serve { ProtocolSupport::Full } else { ProtocolSupport::Outbound };
	let config = Config::default().with_request_timeout(std::time::Duration::from_secs(60));
	Ok(libp2p::SwarmBuilder::with_existing_identity(identity)
		.with_tokio()
		.with_tcp(
			libp2p::tcp::Config::default(),
			libp2p::noise::Config::new,
			libp2p::yamux::Config::default,
		)?
		.with_behaviour(|_| Behaviour::with_codec(BlobCodec, [(super::PROTOCOL, support)], config))?
		.with_swarm_config(|c| c.with_idle_connection_timeout(std::time::Duration::from_secs(30)))
		.build())
}
