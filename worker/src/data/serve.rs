//! Serving the pieces of the blobs in one or more stores to anyone who names them, and those of
//! a blob kept for its readers only (a job's output) to requests with a grant from one of them
//! ([`super::access`]).

use super::{
	access::Access,
	store::Store,
	wire::{self, Answer, PieceRequest, IN_FLIGHT, MAX_ANSWERS, MAX_CONNECTIONS, STALL_TIMEOUT},
};
use futures::StreamExt;
use libp2p::{
	identity::Keypair,
	request_response::{Event, InboundRequestId, Message, ResponseChannel},
	swarm::SwarmEvent,
	Multiaddr, PeerId,
};
use std::collections::HashMap;
use tokio::task::JoinSet;

/// Listens on `address` and answers piece requests from `stores` until the task is dropped,
/// calling `listening` with each address it listens on (with `/p2p/<peer id>`). Returns an
/// error only if it cannot listen at all.
pub async fn serve(
	address: Multiaddr,
	identity: Keypair,
	stores: Vec<Store>,
	mut listening: impl FnMut(Multiaddr),
) -> anyhow::Result<()> {
	let mut swarm = wire::swarm(identity, true, STALL_TIMEOUT)?;
	swarm.listen_on(address.clone())?;
	let peer = *swarm.local_peer_id();
	let mut answers = Answers::default();
	let mut encodes: JoinSet<(InboundRequestId, ResponseChannel<Answer>, Answer)> = JoinSet::new();
	let mut encoding: HashMap<tokio::task::Id, InboundRequestId> = HashMap::new();
	let mut connections = 0usize;
	loop {
		tokio::select! {
			event = swarm.select_next_some() => match event {
				SwarmEvent::NewListenAddr { address, .. } => {
					listening(address.with(libp2p::multiaddr::Protocol::P2p(peer)))
				}
				SwarmEvent::ListenerClosed { reason: Err(e), .. } => {
					anyhow::bail!("listening on {address}: {e}")
				}
				// Not fatal: an accept that failed (out of file descriptors, say) is tried again.
				SwarmEvent::ListenerError { error, .. } => log::warn!("listening on {address}: {error}"),
				SwarmEvent::ConnectionEstablished { connection_id, .. } => {
					connections += 1;
					if connections > MAX_CONNECTIONS {
						swarm.close_connection(connection_id);
					}
				}
				SwarmEvent::ConnectionClosed { .. } => connections = connections.saturating_sub(1),
				SwarmEvent::Behaviour(Event::Message {
					peer: from,
					message: Message::Request { request_id, request, channel },
					..
				}) => {
					if let Some(answer) = refuse(&request).or_else(|| answers.admit(request_id, from).err()) {
						let _ = swarm.behaviour_mut().send_response(channel, answer);
						continue;
					}
					let stores = stores.clone();
					let task = encodes.spawn_blocking(move || {
						(request_id, channel, answer(&stores, &request))
					});
					encoding.insert(task.id(), request_id);
				}
				SwarmEvent::Behaviour(Event::ResponseSent { request_id, .. })
				| SwarmEvent::Behaviour(Event::InboundFailure { request_id, .. }) => {
					answers.ended(request_id)
				}
				_ => {}
			},
			Some(done) = encodes.join_next_with_id(), if !encodes.is_empty() => match done {
				Ok((task, (request_id, channel, answer))) => {
					encoding.remove(&task);
					let sending = swarm.behaviour_mut().send_response(channel, answer).is_ok();
					answers.encoded(request_id, sending);
				}
				Err(failed) => {
					log::error!("encoding a piece failed: {failed}");
					if let Some(request_id) = encoding.remove(&failed.id()) {
						answers.encoded(request_id, false);
					}
				}
			}
		}
	}
}

/// The piece `request` asks for, from the first of `stores` that holds it and lets the request
/// read it; `Refused` if one holds it but none lets it.
fn answer(stores: &[Store], request: &PieceRequest) -> Answer {
	let mut refused = false;
	for store in stores {
		match store.access(&request.blob, request.grant.as_ref()) {
			Ok(Access::Permitted) => {
				if let Ok(Some(piece)) = store.encode_piece(&request.blob, request.piece) {
					return Answer::Piece(piece);
				}
			}
			Ok(Access::Refused) => refused = true,
			Ok(Access::Missing) | Err(_) => {}
		}
	}
	if refused {
		Answer::Refused
	} else {
		Answer::Missing
	}
}

/// The answer to a request that needs no read: a blob over the limits, or a piece past its
/// end.
fn refuse(request: &PieceRequest) -> Option<Answer> {
	(!request.blob.within_limits() || request.piece >= request.blob.pieces())
		.then_some(Answer::Invalid)
}

/// The answers a server holds, so that its memory stays at about [`MAX_ANSWERS`] MiB however
/// many peers ask and however slowly they read, and no peer holds more than [`IN_FLIGHT`] of
/// them. An answer counts from its request until the peer has all of it or its stream failed,
/// and until its encoding is done whatever happens to the stream meanwhile: a peer that asks
/// and hangs up at once must not start encodings beyond the limit. (Generic over the ids so
/// that its tests need no connection: libp2p alone makes request ids.)
struct Answers<Id = InboundRequestId, Peer = PeerId> {
	held: HashMap<Id, Holding<Peer>>,
}

impl<Id, Peer> Default for Answers<Id, Peer> {
	fn default() -> Self {
		Answers { held: HashMap::new() }
	}
}

struct Holding<Peer> {
	peer: Peer,
	/// Still being read and checked (what the stream does meanwhile does not end it).
	encoding: bool,
	/// The stream ended while it was encoded: it ends when the encoding does.
	abandoned: bool,
}

impl<Id: std::hash::Hash + Eq, Peer: PartialEq> Answers<Id, Peer> {
	/// Takes request `id` from `peer` on, or says why not.
	fn admit(&mut self, id: Id, peer: Peer) -> Result<(), Answer> {
		let of_peer = self.held.values().filter(|h| h.peer == peer).count();
		if self.held.len() >= MAX_ANSWERS || of_peer >= IN_FLIGHT {
			return Err(Answer::Busy);
		}
		self.held.insert(id, Holding { peer, encoding: true, abandoned: false });
		Ok(())
	}

	/// The encoding of `id` is done; `sending` says whether its answer is now being written.
	fn encoded(&mut self, id: Id, sending: bool) {
		match self.held.get_mut(&id) {
			Some(holding) if sending && !holding.abandoned => holding.encoding = false,
			_ => {
				self.held.remove(&id);
			}
		}
	}

	/// The stream of `id` ended: its answer was written whole, or the stream failed.
	fn ended(&mut self, id: Id) {
		match self.held.get_mut(&id) {
			Some(holding) if holding.encoding => holding.abandoned = true,
			_ => {
				self.held.remove(&id);
			}
		}
	}

	#[cfg(test)]
	fn len(&self) -> usize {
		self.held.len()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::data::{BlobRef, MAX_BLOB_BYTES};

	#[test]
	fn requests_outside_the_limits_are_answered_unread() {
		let blob = BlobRef { root: [1; 32], size: 3 };
		let asked = |blob, piece| PieceRequest { blob, piece, grant: None };
		assert_eq!(refuse(&asked(blob, 0)), None);
		assert_eq!(refuse(&asked(blob, 1)), Some(Answer::Invalid), "past the end");
		let huge = BlobRef { size: MAX_BLOB_BYTES + 1, ..blob };
		assert_eq!(refuse(&asked(huge, 0)), Some(Answer::Invalid), "over the limit");
	}

	/// A peer holds at most IN_FLIGHT answers, all peers MAX_ANSWERS; one that hangs up while
	/// its answers are encoded frees nothing until the encodings are done (freed at the hang-up,
	/// a peer asking and hanging up in a loop started any number of encodings at once).
	#[test]
	fn answers_count_until_written_or_encoded_whatever_the_stream_does() {
		let mut answers: Answers<u32, u8> = Answers::default();
		for id in 0..IN_FLIGHT as u32 {
			assert_eq!(answers.admit(id, 1), Ok(()));
		}
		assert_eq!(answers.admit(100, 1), Err(Answer::Busy), "one peer over IN_FLIGHT");
		// Peer 1 hangs up: its streams fail while their pieces are still encoded.
		for id in 0..IN_FLIGHT as u32 {
			answers.ended(id);
		}
		assert_eq!(answers.len(), IN_FLIGHT, "encodings still running count");
		assert_eq!(answers.admit(101, 1), Err(Answer::Busy));
		for id in 0..IN_FLIGHT as u32 {
			answers.encoded(id, false);
		}
		assert_eq!(answers.len(), 0);

		// Many peers: MAX_ANSWERS in all, each answer held until it is written whole.
		let mut id = 0u32;
		for peer in 0..(MAX_ANSWERS / IN_FLIGHT) as u8 {
			for _ in 0..IN_FLIGHT {
				assert_eq!(answers.admit(id, peer), Ok(()));
				answers.encoded(id, true);
				id += 1;
			}
		}
		assert_eq!(answers.admit(id, 200), Err(Answer::Busy), "all peers over MAX_ANSWERS");
		answers.ended(0);
		assert_eq!(answers.admit(id, 200), Ok(()), "an answer written whole frees its place");
		// An encoding whose stream is still open, then written whole.
		answers.encoded(id, true);
		answers.ended(id);
		assert_eq!(answers.len(), MAX_ANSWERS - 1);
	}
}
