//! A provider's registered endpoint: the addresses it serves outputs on, separated by commas.
//! A libp2p address (`/ip4/203.0.113.7/tcp/40333`, with `/p2p/<peer id>` once known) serves
//! the blob exchange to workers and the command line; an address ending in `/http`
//! (`/ip4/203.0.113.7/tcp/41333/http`) serves the same outputs, under the same grants, to
//! browsers (see [`super::gateway`]). Either may be left out.

use crate::chain::{AccountId, Client, Hash};
use anyhow::{anyhow, bail, Context};
use libp2p::{multiaddr::Protocol, Multiaddr};
use std::net::{IpAddr, SocketAddr};

/// The addresses in a registered endpoint.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct Endpoint {
	/// Where the blob exchange is served.
	pub p2p: Option<Multiaddr>,
	/// Where the HTTP gateway is served.
	pub http: Option<SocketAddr>,
}

impl Endpoint {
	/// Reads an endpoint as registered; refuses text that is not one or two multiaddrs, or
	/// that names two of a kind.
	pub fn parse(text: &str) -> anyhow::Result<Endpoint> {
		let mut endpoint = Endpoint::default();
		for word in text.split(',') {
			// An empty word reads as the empty multiaddr, which names nothing.
			if word.is_empty() {
				bail!("{text:?} has an empty address: addresses are separated by single commas");
			}
			let address: Multiaddr =
				word.parse().map_err(|e| anyhow!("{word:?} is not a multiaddr: {e}"))?;
			if matches!(address.iter().last(), Some(Protocol::Http)) {
				if endpoint.http.is_some() {
					bail!("the endpoint names two HTTP gateways");
				}
				endpoint.http = Some(http_socket(&address).ok_or_else(|| {
					anyhow!("{word}: an HTTP gateway is /ip4/<address>/tcp/<port>/http")
				})?);
			} else {
				if endpoint.p2p.is_some() {
					bail!("the endpoint names two libp2p addresses");
				}
				endpoint.p2p = Some(address);
			}
		}
		Ok(endpoint)
	}

	/// The libp2p address, or why there is none.
	pub fn p2p(&self) -> anyhow::Result<Multiaddr> {
		self.p2p.clone().ok_or_else(|| anyhow!("the endpoint has no libp2p address"))
	}
}

/// Where provider `who` serves data over libp2p (its outputs, and the inputs it fetched), as
/// its endpoint registered at block `at` names it; or why it names nowhere.
pub async fn data_address(client: &Client, who: &AccountId, at: Hash) -> anyhow::Result<Multiaddr> {
	let info = client
		.provider(who, at)
		.await?
		.ok_or_else(|| anyhow!("{who} is not a registered provider"))?;
	let text = String::from_utf8_lossy(&info.endpoint);
	Endpoint::parse(&text).and_then(|e| e.p2p()).with_context(|| format!("{who} at {text:?}"))
}

/// `/ip4|ip6/<address>/tcp/<port>/http` as a socket address.
fn http_socket(address: &Multiaddr) -> Option<SocketAddr> {
	let mut parts = address.iter();
	let ip = match parts.next()? {
		Protocol::Ip4(ip) => IpAddr::V4(ip),
		Protocol::Ip6(ip) => IpAddr::V6(ip),
		_ => return None,
	};
	let Protocol::Tcp(port) = parts.next()? else { return None };
	matches!((parts.next(), parts.next()), (Some(Protocol::Http), None))
		.then_some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The dashboard finds the gateway in an endpoint too (`ui/src/output.ts`, `gatewayUrl`);
	/// both read these vectors, so neither can read an endpoint differently alone.
	#[test]
	fn endpoints_match_the_vectors_the_dashboard_reads() {
		let vectors: serde_json::Value =
			serde_json::from_str(include_str!("../../../tests/vectors/endpoints.json")).unwrap();
		let cases = vectors["cases"].as_array().unwrap();
		for case in cases {
			let text = case["endpoint"].as_str().unwrap();
			let parsed = Endpoint::parse(text);
			assert_eq!(parsed.is_ok(), case["valid"].as_bool().unwrap(), "{case}");
			let gateway = parsed.ok().and_then(|e| e.http).map(|at| format!("http://{at}"));
			assert_eq!(serde_json::json!(gateway), case["gateway"], "{case}");
		}
	}

	#[test]
	fn an_endpoint_names_a_libp2p_address_and_an_http_gateway() {
		let both = Endpoint::parse("/ip4/10.0.0.7/tcp/40333,/ip4/10.0.0.7/tcp/41333/http").unwrap();
		assert_eq!(both.p2p, Some("/ip4/10.0.0.7/tcp/40333".parse().unwrap()));
		assert_eq!(both.http, Some("10.0.0.7:41333".parse().unwrap()));
		// Either alone, in any order.
		let p2p = Endpoint::parse("/ip4/10.0.0.7/tcp/40333").unwrap();
		assert_eq!((p2p.p2p.is_some(), p2p.http), (true, None));
		let http = Endpoint::parse("/ip6/::1/tcp/8080/http").unwrap();
		assert_eq!((&http.p2p, http.http), (&None, Some("[::1]:8080".parse().unwrap())));
		assert!(http.p2p().is_err());

		for bad in [
			"not-an-address",
			"/ip4/10.0.0.7/tcp/1,/ip4/10.0.0.8/tcp/2",
			"/ip4/10.0.0.7/tcp/1/http,/ip4/10.0.0.8/tcp/2/http",
			"/ip4/10.0.0.7/tcp/1,",
			"/dns4/example.org/tcp/80/http",
		] {
			assert!(Endpoint::parse(bad).is_err(), "{bad}");
		}
	}
}
