//! Which node to talk to and which key signs.

use clap::Args;
use concord_worker::chain::Signer;

#[derive(Args)]
pub struct ChainArgs {
	/// The node's WebSocket JSON-RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944", value_name = "URL")]
	pub rpc: String,
	/// The signing account's secret URI: a mnemonic, a 0x seed, or a dev account such as
	/// //Alice. Read from CONCORD_KEY when not given, to keep it out of shell history.
	#[arg(long, value_name = "SURI")]
	pub key: Option<String>,
}

impl ChainArgs {
	pub fn signer(&self) -> anyhow::Result<Signer> {
		let key = match &self.key {
			Some(key) => key.clone(),
			None => std::env::var("CONCORD_KEY").map_err(|_| {
				anyhow::anyhow!("no signing key: pass --key SURI or set CONCORD_KEY")
			})?,
		};
		Signer::from_uri(&key)
	}
}

/// Which node to read from, for commands that sign nothing.
#[derive(Args)]
pub struct NodeArgs {
	/// The node's WebSocket JSON-RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944", value_name = "URL")]
	pub rpc: String,
}
