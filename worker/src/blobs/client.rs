//! Fetching a blob by hash from one peer.

use super::{codec::swarm, Answer, BlobRequest, Grant};
use anyhow::{anyhow, bail};
use futures::StreamExt;
use libp2p::{
	request_response::{Event, Message},
	swarm::SwarmEvent,
	Multiaddr,
};
use std::time::Duration;

/// Asks the peer at `address` (with or without `/p2p/<peer id>`; with it, the peer's identity
/// is checked) for the blob whose result hash (BLAKE3) is `hash`, showing `grant`, and checks what
/// comes back.
pub async fn fetch(address: Multiaddr, hash: [u8; 32], grant: &Grant) -> anyhow::Result<Vec<u8>> {
	let mut swarm = swarm(libp2p::identity::Keypair::generate_ed25519(), false)?;
	swarm.dial(crate::data::dial_opts(&address))?;
	let exchange = async {
		loop {
			match swarm.select_next_some().await {
				SwarmEvent::ConnectionEstablished { peer_id, .. } => {
					let request = BlobRequest { hash, grant: grant.clone() };
					swarm.behaviour_mut().send_request(&peer_id, request);
				}
				SwarmEvent::OutgoingConnectionError { error, .. } => bail!("{error}"),
				SwarmEvent::Behaviour(Event::Message {
					message: Message::Response { response, .. },
					..
				}) => {
					return match response {
						Answer::Blob(blob) => Ok(blob),
						Answer::Missing => Err(anyhow!("the peer does not have it")),
						Answer::Refused => Err(anyhow!(
							"the peer refuses: it serves the output only to the job's requester, \
							 or to whoever holds a grant the requester signed"
						)),
					}
				}
				SwarmEvent::Behaviour(Event::OutboundFailure { error, .. }) => bail!("{error}"),
				_ => {}
			}
		}
	};
	let blob = tokio::time::timeout(Duration::from_secs(120), exchange)
		.await
		.map_err(|_| anyhow!("no answer within 120 s"))??;
	if concord_kernels::result_hash(&blob) != hash {
		bail!("the peer sent bytes that do not match the hash");
	}
	Ok(blob)
}
