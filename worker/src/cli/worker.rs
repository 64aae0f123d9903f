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
	/// Where to serve results to browsers (the dashboard), e.g. 0.0.0.0:41333; by default the
	/// `/http` address in the endpoint the provider registered.
	#[arg(long, value_name = "ADDRESS:PORT")]
	http: Option<std::net::SocketAddr>,
	/// Hours a served output is kept after its job's verdict, and a fetched input after its
	/// last piece arrived; at least the chain's DataRetention (a day).
	#[arg(long, value_name = "HOURS", default_value_t = provider::Retention::default().keep.as_secs() / 3600)]
	keep_results: u64,
	/// MiB that served outputs and kept inputs may take together; beyond it the oldest are
	/// removed.
	#[arg(long, value_name = "MIB", default_value_t = provider::Retention::default().cap_bytes >> 20)]
	results_cap: u64,
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
			http: args.http,
			retention: provider::Retention {
				keep: std::time::Duration::from_secs(args.keep_results.saturating_mul(3600)),
				cap_bytes: args.results_cap.saturating_mul(1 << 20),
			},
		};
		match tokio::runtime::Runtime::new()?.block_on(provider::run(config))? {}
	}
}
