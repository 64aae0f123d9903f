//! The blob exchange, `/concord/blob/2`: libp2p request-response over TCP with Noise and
//! yamux (the libp2p that the node's own network stack already compiles). A request is a
//! blob's result hash (BLAKE3) and a [`Grant`] to read it; the answer is the blob, that the peer
//! does not have it, or that the grant does not let its holder read it. Whoever receives a
//! blob checks its hash before using it, so peers need not be trusted.

mod access;
mod client;
mod codec;
mod endpoint;
mod gateway;
mod identity;
mod server;

pub use access::Grant;
pub use client::fetch;
pub use endpoint::Endpoint;
pub use gateway::serve_http;
pub use identity::load_or_create_identity;
pub use server::{add_reader, forget_readers, readers, serve};

use libp2p::StreamProtocol;

pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/concord/blob/2");

/// A request for the blob with `hash`, with the grant that lets its holder read it.
#[derive(Clone, Debug)]
pub struct BlobRequest {
	pub hash: [u8; 32],
	pub grant: Grant,
}

/// A server's answer to a [`BlobRequest`].
#[derive(Clone, Debug)]
pub enum Answer {
	/// It does not have the blob.
	Missing,
	/// It has the blob, but the grant is not from one of its readers, or not for this blob.
	Refused,
	Blob(Vec<u8>),
}

/// The largest blob served or accepted: larger than any kernel's output that a job can ask
/// for on the devices we target, small enough to hold in memory.
pub const MAX_BLOB_BYTES: u64 = 1 << 30;

#[cfg(test)]
mod tests {
	use super::*;
	use concord_kernels::result_hash;
	use sp_core::{sr25519, Pair};

	/// A real server and client over TCP on localhost.
	#[tokio::test(flavor = "multi_thread")]
	async fn a_blob_is_served_by_hash_to_its_readers_and_checked_on_arrival() {
		let dir = tempfile::tempdir().unwrap();
		let results = dir.path().join("results");
		std::fs::create_dir_all(&results).unwrap();
		let dave = sr25519::Pair::from_string("//Dave", None).unwrap();
		let eve = sr25519::Pair::from_string("//Eve", None).unwrap();
		let blob = b"the output of a kernel".to_vec();
		let hash = result_hash(&blob);
		std::fs::write(results.join(hex::encode(hash)), &blob).unwrap();
		add_reader(&results, &hash, &dave.public().0).unwrap();
		// A file whose bytes do not match the hash it is stored under.
		let lie = result_hash(b"what was asked for");
		std::fs::write(results.join(hex::encode(lie)), b"something else").unwrap();
		add_reader(&results, &lie, &dave.public().0).unwrap();

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

		let by_dave = Grant::sign(&dave, &hash);
		assert_eq!(fetch(address.clone(), hash, &by_dave).await.unwrap(), blob);
		let with_peer: libp2p::Multiaddr = format!("{address}/p2p/{peer}").parse().unwrap();
		assert_eq!(fetch(with_peer, hash, &by_dave).await.unwrap(), blob);

		let refused = fetch(address.clone(), hash, &Grant::sign(&eve, &hash)).await.unwrap_err();
		assert!(refused.to_string().contains("refuses"), "not a reader: {refused}");
		let other_blob = Grant::sign(&dave, &lie);
		let refused = fetch(address.clone(), hash, &other_blob).await.unwrap_err();
		assert!(refused.to_string().contains("refuses"), "a grant for another blob: {refused}");

		let missing = fetch(address.clone(), [7; 32], &Grant::sign(&dave, &[7; 32])).await;
		let missing = missing.unwrap_err();
		assert!(missing.to_string().contains("does not have it"), "{missing}");
		let forged = fetch(address, lie, &other_blob).await.unwrap_err();
		assert!(forged.to_string().contains("do not match"), "{forged}");
	}

	#[test]
	fn readers_are_recorded_once_each() {
		let dir = tempfile::tempdir().unwrap();
		add_reader(dir.path(), &[1; 32], &[5; 32]).unwrap();
		add_reader(dir.path(), &[1; 32], &[6; 32]).unwrap();
		add_reader(dir.path(), &[1; 32], &[5; 32]).unwrap();
		assert_eq!(readers(dir.path(), &[1; 32]).unwrap(), vec![[5; 32], [6; 32]]);
		assert!(readers(dir.path(), &[2; 32]).unwrap().is_empty());
	}

	#[test]
	fn the_identity_survives_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let first = load_or_create_identity(dir.path()).unwrap().public().to_peer_id();
		let again = load_or_create_identity(dir.path()).unwrap().public().to_peer_id();
		assert_eq!(first, again);
	}
}
