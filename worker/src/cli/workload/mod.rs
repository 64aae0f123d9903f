//! `concord workload ...`: one job divided into shards whose verified outputs combine under one
//! root. Until workloads are on chain, `run --local` runs the shards on this machine.

mod run;

use super::Output;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum WorkloadCommand {
	/// Divide a job into shards, run each on this machine, assemble the output and print its
	/// aggregate root: the one the chain will record for the same shards.
	Run(run::RunArgs),
}

impl WorkloadCommand {
	pub fn run(self, output: Output) -> anyhow::Result<()> {
		match self {
			WorkloadCommand::Run(args) => run::run(args, output),
		}
	}
}
