//! A store served in the background for as long as something needs it: a requester serves its
//! remote input until its job ends.

use super::{serve::serve, store::Store};
use anyhow::{anyhow, bail, Context};
use libp2p::{identity::Keypair, multiaddr::Protocol, Multiaddr};
use tokio::task::JoinHandle;

/// A store being served; it stops when dropped.
pub struct Serving {
	/// Where it is served, with `/p2p/<peer id>`: what a job names as its input's source.
	pub address: Multiaddr,
	task: JoinHandle<anyhow::Result<()>>,
}

impl Serving {
	/// Serves `store` on `listen` (port 0 picks a free port) as `identity`, once it listens.
	/// `listen` must name the address peers reach it at: a job carries one source, so
	/// `0.0.0.0` (every interface) names none.
	pub async fn start(
		listen: Multiaddr,
		identity: Keypair,
		store: Store,
	) -> anyhow::Result<Serving> {
		if names_no_address(&listen) {
			bail!(
				"{listen} names no address peers could reach: serve on the one they reach this \
				 machine at, e.g. /ip4/203.0.113.7/tcp/0"
			);
		}
		let (tx, rx) = tokio::sync::oneshot::channel();
		let mut tx = Some(tx);
		let mut task = tokio::spawn(serve(listen.clone(), identity, vec![store], move |address| {
			if let Some(tx) = tx.take() {
				let _ = tx.send(address);
			}
		}));
		tokio::select! {
			Ok(address) = rx => Ok(Serving { address, task }),
			ended = &mut task => Err(match ended {
				Ok(Err(e)) => e,
				Ok(Ok(())) => anyhow!("it stopped"),
				Err(e) => anyhow!(e),
			})
			.context(format!("serving on {listen}")),
		}
	}

	/// Whether peers on other networks can reach the address it serves at: not a loopback,
	/// private or link-local one. (Whether a firewall lets them in, only they can tell.)
	pub fn reachable_from_outside(&self) -> bool {
		match self.address.iter().next() {
			Some(Protocol::Ip4(ip)) => {
				!(ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified())
			}
			Some(Protocol::Ip6(ip)) => {
				let unique_local = ip.segments()[0] & 0xfe00 == 0xfc00;
				let link_local = ip.segments()[0] & 0xffc0 == 0xfe80;
				!(ip.is_loopback() || ip.is_unspecified() || unique_local || link_local)
			}
			Some(Protocol::Dns(_) | Protocol::Dns4(_) | Protocol::Dns6(_)) => true,
			_ => false,
		}
	}
}

impl Drop for Serving {
	fn drop(&mut self) {
		self.task.abort();
	}
}

/// Whether `address` listens on every interface rather than naming one.
fn names_no_address(address: &Multiaddr) -> bool {
	match address.iter().next() {
		Some(Protocol::Ip4(ip)) => ip.is_unspecified(),
		Some(Protocol::Ip6(ip)) => ip.is_unspecified(),
		_ => false,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fresh() -> Keypair {
		Keypair::generate_ed25519()
	}

	#[tokio::test]
	async fn it_serves_on_the_address_named_and_says_whether_outsiders_reach_it() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let start = |listen: &str, store| Serving::start(listen.parse().unwrap(), fresh(), store);
		let serving = start("/ip4/127.0.0.1/tcp/0", store.clone()).await.unwrap();
		let text = serving.address.to_string();
		assert!(text.starts_with("/ip4/127.0.0.1/tcp/") && text.contains("/p2p/"), "{text}");
		assert!(!text.contains("/tcp/0/"), "the port it listens on, not 0: {text}");
		assert!(!serving.reachable_from_outside());

		let everywhere = start("/ip4/0.0.0.0/tcp/0", store.clone());
		let refused = everywhere.await.err().expect("no address to announce");
		assert!(refused.to_string().contains("names no address"), "{refused}");
		let unreachable = start("/ip4/192.0.2.1/tcp/0", store);
		let failed = unreachable.await.err().expect("no such address on this machine");
		assert!(format!("{failed:#}").contains("serving on /ip4/192.0.2.1"), "{failed:#}");

		let reach = |text: &str| {
			Serving { address: text.parse().unwrap(), task: tokio::spawn(async { Ok(()) }) }
				.reachable_from_outside()
		};
		assert!(reach("/ip4/203.0.113.7/tcp/4001"));
		assert!(reach("/dns4/example.org/tcp/4001"));
		assert!(!reach("/ip4/192.168.1.2/tcp/4001"));
		assert!(!reach("/ip4/10.0.0.2/tcp/4001"));
		assert!(!reach("/ip6/fd00::1/tcp/4001"));
		assert!(reach("/ip6/2001:db8::1/tcp/4001"));
	}
}
