//! What a provider shows the world about where its outputs are: its registered [`Endpoint`]
//! (a libp2p address for the data plane, an HTTP one for browsers), its libp2p identity, and
//! the HTTP gateway that serves its outputs to browsers, which cannot speak libp2p over TCP.
//! The outputs themselves move over the data plane ([`crate::data`]).

mod endpoint;
mod gateway;
mod identity;

pub use endpoint::Endpoint;
pub use gateway::serve_http;
pub use identity::load_or_create_identity;

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
}
