//! `concord kernel ...`: local kernel runs, benchmarks and adapter listing. Adapters are chosen
//! by `WGPU_BACKEND` (vulkan, metal, dx12) and `CONCORD_ADAPTER` (a name substring).

mod adapters;
mod bench;
pub mod local;
mod run;

use super::Output;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum KernelCommand {
	/// List the GPU adapters wgpu can see, and the one jobs would run on.
	Adapters,
	/// Run one job and print its result hash (BLAKE3 of the output, hex).
	Run(local::LocalArgs),
	/// Measure work units per second on the GPU and on the CPU reference, in the same run.
	Bench(bench::BenchArgs),
}

impl KernelCommand {
	pub fn run(self, output: Output) -> anyhow::Result<()> {
		match self {
			KernelCommand::Adapters => adapters::run(output),
			KernelCommand::Run(args) => run::run(args, output),
			KernelCommand::Bench(args) => bench::run(args, output),
		}
	}
}
