//! The blob exchange, `/concord/blob/1`: libp2p request-response over TCP with Noise and
//! yamux (the libp2p that the node's own network stack already compiles). A request is a
//! blob's blake2-256 hash; the answer is the blob, or that the peer does not have it. Whoever
//! receives a blob checks its hash before using it, so peers need not be trusted.

mod client;
mod codec;
mod identity;
mod server;

pub use client::fetch;
pub use identity::load_or_create_identity;
pub use server::serve;

use libp2p::StreamProtocol;

pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/concord/blob/1");

/// The largest blob served or accepted: larger than any kernel's output that a job can ask
/// for on the devices we target, small enough to hold in memory.
pub const MAX_BLOB_BYTES: u64 = 1 << 30;

#[cfg(test)]
mod tests {
	use super::*;
	use sp_crypto_hashing::blake2_256;

	/// A real server and client over TCP on localhost.
	#[tokio::test(flavor = "multi_thread")]
	async fn a_blob_is_served_by_hash_and_checked_on_arrival() {
		let dir = tempfile::tempdir().unwrap();
		let results = dir.path().join("results");
		std::fs::create_dir_all(&results).unwrap();
		let blob = b"the output of a kernel".to_vec();
		std::fs::write(results.join(hex::encode(blake2_256(&blob))), &blob).unwrap();
		// A file whose bytes do not match the hash it is stored under.
		let lie = blake2_256(b"what was asked for");
		std::fs::write(results.join(hex::encode(lie)), b"something else").unwrap();

		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let address: libp2p::Multiaddr = format!("/ip4/127.0.0.1/tcp/{port}").parse().unwrap();
		let identity = load_or_create_identity(dir.path()).unwrap();
		let peer = identity.public().to_peer_id();
		let (listening, ready) = tokio::sync::oneshot::channel();
		let listening = std::sync::Mutex::new(Some(listening));
		tokio::spawn(serve(address.clone(), identity, results, move |_| {
			if let Some(listening) = listening.lock().unwrap().take() {
				let _ = listening.send(());
			}
		}));
		ready.await.unwrap();

		assert_eq!(fetch(address.clone(), blake2_256(&blob)).await.unwrap(), blob);
		let with_peer: libp2p::Multiaddr = format!("{address}/p2p/{peer}").parse().unwrap();
		assert_eq!(fetch(with_peer, blake2_256(&blob)).await.unwrap(), blob);
		let missing = fetch(address.clone(), [7; 32]).await.unwrap_err();
		assert!(missing.to_string().contains("does not have it"), "{missing}");
		let forged = fetch(address, lie).await.unwrap_err();
		assert!(forged.to_string().contains("do not match"), "{forged}");
	}

	#[test]
	fn the_identity_survives_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let first = load_or_create_identity(dir.path()).unwrap().public().to_peer_id();
		let again = load_or_create_identity(dir.path()).unwrap().public().to_peer_id();
		assert_eq!(first, again);
	}
}
