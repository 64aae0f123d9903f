//! Which node to talk to and which key signs.

use clap::Args;
use concord_worker::chain::{KeystoreArgs, Signer};

#[derive(Args)]
pub struct ChainArgs {
	/// The node's WebSocket JSON-RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944", value_name = "URL")]
	pub rpc: String,
	/// The signing account's secret URI: a mnemonic, a 0x seed, or a dev account such as
	/// //Alice. Read from CONCORD_KEY when not given, to keep it out of shell history.
	#[arg(long, value_name = "SURI", conflicts_with = "signing_keystore_path")]
	pub key: Option<String>,
	#[command(flatten)]
	pub keystore: KeystoreArgs,
}

impl ChainArgs {
	pub fn signer(&self) -> anyhow::Result<Signer> {
		let key = match (&self.key, self.keystore.suri()) {
			(Some(key), _) => key.clone(),
			(None, Some(suri)) => suri?,
			(None, None) => key_from_env("pass --key SURI, --keystore-path DIR, or set it")?,
		};
		Signer::from_uri(&key)
	}
}

/// The secret URI in `CONCORD_KEY`, which keeps it out of shell history; `hint` says what to
/// do when it is not set.
pub fn key_from_env(hint: &str) -> anyhow::Result<String> {
	std::env::var("CONCORD_KEY")
		.map_err(|_| anyhow::anyhow!("no key: CONCORD_KEY is not set ({hint})"))
}

/// Which node to read from, for commands that sign nothing.
#[derive(Args)]
pub struct NodeArgs {
	/// The node's WebSocket JSON-RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944", value_name = "URL")]
	pub rpc: String,
}
