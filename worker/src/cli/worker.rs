//! `concord worker run`: the provider daemon.

use super::chain_args::ChainArgs;
use clap::{Args, Subcommand};
use concord_worker::provider;

#[derive(Subcommand)]
pub enum WorkerCommand {
	/// Take part in jobs assigned to a registered provider: run them, commit, reveal.
	// The shared options leave `--state-dir` optional for the node, which has a default; a
	// worker has none.
	#[command(mut_arg("state_dir", |arg| arg.required(true)))]
	Run(RunArgs),
}

#[derive(Args)]
pub struct RunArgs {
	#[command(flatten)]
	chain: ChainArgs,
	#[command(flatten)]
	options: provider::ProviderOptions,
}

impl WorkerCommand {
	pub fn run(self) -> anyhow::Result<()> {
		let WorkerCommand::Run(args) = self;
		let config = args.options.config(args.chain.rpc.clone(), args.chain.signer()?, None)?;
		match tokio::runtime::Runtime::new()?.block_on(provider::run(config))? {}
	}
}
