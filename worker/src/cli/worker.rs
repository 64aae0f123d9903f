//! `concord worker run`: the provider daemon.

use super::chain_args::ChainArgs;
use clap::{Args, Subcommand};
use concord_worker::provider::{self, Device};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum WorkerCommand {
	/// Take part in jobs assigned to a registered provider: run them, commit, reveal.
	Run(RunArgs),
}

#[derive(Args)]
pub struct RunArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// Where commitments (result hash and salt) and results are kept, so that a restart never
	/// loses what was committed. One directory per provider.
	#[arg(long, value_name = "DIR")]
	state_dir: PathBuf,
	/// Run kernels on the CPU reference instead of a GPU.
	#[arg(long)]
	cpu: bool,
	/// Where to serve results to requesters (libp2p multiaddr, e.g. /ip4/0.0.0.0/tcp/40333);
	/// by default the endpoint the provider registered.
	#[arg(long, value_name = "MULTIADDR")]
	listen: Option<libp2p::Multiaddr>,
}

impl WorkerCommand {
	pub fn run(self) -> anyhow::Result<()> {
		let WorkerCommand::Run(args) = self;
		let config = provider::Config {
			signer: args.chain.signer()?,
			rpc: args.chain.rpc,
			state_dir: args.state_dir,
			device: Device::open(args.cpu)?,
			listen: args.listen,
		};
		match tokio::runtime::Runtime::new()?.block_on(provider::run(config))? {}
	}
}
