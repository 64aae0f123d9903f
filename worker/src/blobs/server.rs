//! Serving the outputs a provider computed, from `<state dir>/results/<hex hash>`.

use super::codec::swarm;
use futures::StreamExt;
use libp2p::{
	identity::Keypair,
	request_response::{Event, Message},
	swarm::SwarmEvent,
	Multiaddr,
};
use std::path::PathBuf;

/// Listens on `address` and answers blob requests from `results_dir` until the task is
/// dropped. Returns an error only if it cannot listen.
pub async fn serve(
	address: Multiaddr,
	identity: Keypair,
	results_dir: PathBuf,
	log: impl Fn(String),
) -> anyhow::Result<()> {
	let mut swarm = swarm(identity, true)?;
	swarm.listen_on(address.clone())?;
	loop {
		match swarm.select_next_some().await {
			SwarmEvent::NewListenAddr { address, .. } => {
				log(format!("serving results at {address}/p2p/{}", swarm.local_peer_id()))
			}
			SwarmEvent::ListenerClosed { reason: Err(e), .. }
			| SwarmEvent::ListenerError { error: e, .. } => {
				anyhow::bail!("listening on {address}: {e}")
			}
			SwarmEvent::Behaviour(Event::Message {
				message: Message::Request { request, channel, .. },
				..
			}) => {
				let path = results_dir.join(hex::encode(request));
				let read = tokio::task::spawn_blocking(move || std::fs::read(path).ok());
				let blob = read.await.ok().flatten();
				let _ = swarm.behaviour_mut().send_response(channel, blob);
			}
			_ => {}
		}
	}
}
