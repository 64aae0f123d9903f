//! The provider daemon's options, declared once: `concord worker run` takes them as they are
//! (`--cpu`), and `concord-node` takes each with a `provider-` prefix (`--provider-cpu`) beside
//! `--provider SURI`, through [`ProviderOptions::prefixed`].

use super::{Config, Device, Retention};
use crate::chain::{KeystoreArgs, Signer};
use anyhow::Context;
use clap::Args;
use libp2p::Multiaddr;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Where the daemon keeps its state, what it computes on, where it serves, how long it keeps
/// data, and which keystore key signs.
#[derive(Args, Clone, Debug)]
pub struct ProviderOptions {
	/// Where commitments (result hash and salt), results and kept inputs are kept, so that a
	/// restart never loses what was committed. One directory per provider. Required by
	/// `concord worker run`; `concord-node` defaults to <base path>/provider.
	#[arg(long, value_name = "DIR")]
	pub state_dir: Option<PathBuf>,
	/// Run kernels on the CPU reference instead of a GPU.
	#[arg(long)]
	pub cpu: bool,
	/// Where to serve results to requesters (libp2p multiaddr, e.g. /ip4/0.0.0.0/tcp/40333);
	/// by default the endpoint the provider registered.
	#[arg(long, value_name = "MULTIADDR")]
	pub listen: Option<Multiaddr>,
	/// Where to serve results to browsers (the dashboard), e.g. 0.0.0.0:41333; by default the
	/// `/http` address in the endpoint the provider registered.
	#[arg(long, value_name = "ADDRESS:PORT")]
	pub http: Option<SocketAddr>,
	/// Hours a served output is kept after its job's verdict, and a fetched input after its
	/// last piece arrived; at least the chain's DataRetention (a day).
	#[arg(long, value_name = "HOURS", default_value_t = Retention::default().keep.as_secs() / 3600)]
	pub keep_results: u64,
	/// MiB that served outputs and kept inputs may take together; beyond it the oldest are
	/// removed.
	#[arg(long, value_name = "MIB", default_value_t = Retention::default().cap_bytes >> 20)]
	pub results_cap: u64,
}

impl ProviderOptions {
	/// The daemon's configuration: `signer` signs through the node at `rpc`, and the state
	/// directory is `default_state_dir` where none was given. Opens the device here, so that a
	/// missing GPU stops the daemon at start rather than at its first job.
	pub fn config(
		self,
		rpc: String,
		signer: Signer,
		default_state_dir: Option<PathBuf>,
	) -> anyhow::Result<Config> {
		let state_dir = self.state_dir.or(default_state_dir).context(
			"pass --state-dir DIR: where this provider keeps what it committed across restarts",
		)?;
		Ok(Config {
			rpc,
			signer,
			state_dir,
			device: Device::open(self.cpu)?,
			listen: self.listen,
			http: self.http,
			retention: Retention {
				keep: Duration::from_secs(self.keep_results.saturating_mul(3600)),
				cap_bytes: self.results_cap.saturating_mul(1 << 20),
			},
		})
	}

	/// `command` with every option of [`ProviderOptions`] and [`KeystoreArgs`] renamed
	/// `--<prefix><name>`, each requiring the argument or group `requires`: how a node takes
	/// them beside options of its own with the same names. Parsing is unchanged, since it goes
	/// by id.
	pub fn prefixed(command: clap::Command, prefix: &str, requires: &str) -> clap::Command {
		let ours = KeystoreArgs::augment_args(Self::augment_args(clap::Command::new("provider")));
		let ids: Vec<clap::Id> = ours.get_arguments().map(|arg| arg.get_id().clone()).collect();
		command.mut_args(|arg| {
			if !ids.contains(arg.get_id()) {
				return arg;
			}
			let long = format!("{prefix}{}", arg.get_long().unwrap_or_default());
			arg.long(long).requires(requires.to_string())
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::{FromArgMatches, Parser};

	/// Both sets of options, as `concord worker run` takes them.
	#[derive(Parser, Debug)]
	struct Both {
		#[command(flatten)]
		options: ProviderOptions,
		#[command(flatten)]
		keystore: KeystoreArgs,
	}

	#[test]
	fn prefixed_options_parse_into_the_same_values() {
		let plain = Both::try_parse_from([
			"x",
			"--cpu",
			"--http",
			"127.0.0.1:5",
			"--keep-results",
			"48",
			"--keystore-path",
			"/k",
		])
		.unwrap();
		let command = clap::Command::new("node").arg(clap::Arg::new("provider").long("provider"));
		let command = Both::augment_args(command);
		let prefixed = ProviderOptions::prefixed(command, "provider-", "provider");
		let matches = prefixed
			.clone()
			.try_get_matches_from([
				"node",
				"--provider",
				"//Alice",
				"--provider-cpu",
				"--provider-http",
				"127.0.0.1:5",
				"--provider-keep-results",
				"48",
				"--provider-keystore-path",
				"/k",
			])
			.unwrap();
		let node = Both::from_arg_matches(&matches).unwrap();
		assert_eq!(format!("{plain:?}"), format!("{node:?}"));
		// The plain names are gone from the node, and the prefixed ones need `--provider`.
		assert!(prefixed.clone().try_get_matches_from(["node", "--cpu"]).is_err());
		let alone = prefixed.try_get_matches_from(["node", "--provider-cpu"]).unwrap_err();
		assert_eq!(alone.kind(), clap::error::ErrorKind::MissingRequiredArgument);
	}
}
