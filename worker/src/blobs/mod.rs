//! What a provider shows the world about where its outputs are: its registered [`Endpoint`]
//! (a libp2p address for the data plane, an HTTP one for browsers), its libp2p identity, and
//! the HTTP gateway that serves its outputs to browsers, which cannot speak libp2p over TCP.
//! The outputs themselves move over the data plane ([`crate::data`]).

mod endpoint;
mod gateway;
mod identity;

pub use endpoint::{data_address, Endpoint};
pub use gateway::serve_http;
pub use identity::{create_input_identity, input_identity, load_or_create_identity};

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_identity_survives_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let first = load_or_create_identity(dir.path()).unwrap().public().to_peer_id();
		let again = load_or_create_identity(dir.path()).unwrap().public().to_peer_id();
		assert_eq!(first, again);
	}

	#[test]
	fn an_input_identity_is_kept_by_its_peer_id_for_its_owner_alone() {
		use std::os::unix::fs::PermissionsExt;
		let dir = tempfile::tempdir().unwrap();
		let kept = create_input_identity(dir.path()).unwrap().public().to_peer_id();
		let other = create_input_identity(dir.path()).unwrap().public().to_peer_id();
		assert_ne!(kept, other, "a fresh one each time");
		let found = input_identity(dir.path(), &kept).unwrap().expect("kept");
		assert_eq!(found.public().to_peer_id(), kept);
		let file = dir.path().join(format!("{kept}.key"));
		assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600);
		let stranger = libp2p::identity::Keypair::generate_ed25519().public().to_peer_id();
		assert!(input_identity(dir.path(), &stranger).unwrap().is_none());
	}
}
