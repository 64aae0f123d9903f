//! The wire format: request = 32-byte hash; response = `0` (not here) or `1` then the bytes,
//! up to the end of the stream.

use super::MAX_BLOB_BYTES;
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use std::io;

#[derive(Clone, Default)]
pub struct BlobCodec;

#[async_trait::async_trait]
impl libp2p::request_response::Codec for BlobCodec {
	type Protocol = StreamProtocol;
	type Request = [u8; 32];
	type Response = Option<Vec<u8>>;

	async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<[u8; 32]>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut hash = [0u8; 32];
		io.read_exact(&mut hash).await?;
		Ok(hash)
	}

	async fn read_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
	) -> io::Result<Option<Vec<u8>>>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut found = [0u8; 1];
		io.read_exact(&mut found).await?;
		match found[0] {
			0 => Ok(None),
			1 => {
				let mut blob = Vec::new();
				io.take(MAX_BLOB_BYTES + 1).read_to_end(&mut blob).await?;
				if blob.len() as u64 > MAX_BLOB_BYTES {
					return Err(io::Error::new(io::ErrorKind::InvalidData, "blob too large"));
				}
				Ok(Some(blob))
			}
			_ => Err(io::Error::new(io::ErrorKind::InvalidData, "not a blob response")),
		}
	}

	async fn write_request<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		hash: [u8; 32],
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		io.write_all(&hash).await?;
		io.close().await
	}

	async fn write_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		blob: Option<Vec<u8>>,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		match blob {
			None => io.write_all(&[0]).await?,
			Some(blob) => {
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
