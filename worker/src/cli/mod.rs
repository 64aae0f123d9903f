//! Command-line interface; each command family has its own module.

mod amount;
mod blob;
mod chain_args;
mod failure;
mod job;
mod kernel;
mod key;
mod model;
mod output;
mod params;
mod provider;
mod worker;
mod workload;

use clap::{Parser, Subcommand};
pub use failure::Failure;
pub use output::Output;

#[derive(Parser)]
#[command(name = "concord", version, about = "Concord: verifiable GPU compute, settled on chain")]
pub struct Cli {
	/// Print one JSON document (amounts in the smallest unit, as strings) instead of text.
	#[arg(long, global = true)]
	pub json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Run, benchmark and inspect the deterministic compute kernels on this machine.
	#[command(subcommand)]
	Kernel(kernel::KernelCommand),
	/// Provide compute: run the provider daemon for a registered provider.
	#[command(subcommand)]
	Worker(worker::WorkerCommand),
	/// Register a provider and manage its record on chain.
	#[command(subcommand)]
	Provider(provider::ProviderCommand),
	/// Request compute: submit jobs and read their results.
	#[command(subcommand)]
	Job(job::JobCommand),
	/// Divide a job into shards and combine their outputs under one verifiable root.
	#[command(subcommand)]
	Workload(workload::WorkloadCommand),
	/// Classify with trained models (the digits classifier, or your own) as mlp-i8 workloads.
	#[command(subcommand)]
	Model(model::ModelCommand),
	/// Move blobs of any size between machines, verified piece by piece against their root.
	#[command(subcommand)]
	Blob(blob::BlobCommand),
	/// Keep account keys in a keystore, as Substrate tools do (`--keystore-path` to sign).
	#[command(subcommand)]
	Key(key::KeyCommand),
}

impl Cli {
	pub fn run(self) -> anyhow::Result<()> {
		let output = Output { json: self.json };
		match self.command {
			Command::Kernel(command) => command.run(output),
			Command::Worker(command) => command.run(),
			Command::Job(command) => command.run(output),
			Command::Provider(command) => command.run(output),
			Command::Key(command) => command.run(output),
			Command::Blob(command) => command.run(output),
			Command::Workload(command) => command.run(output),
			Command::Model(command) => command.run(output),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::CommandFactory;

	#[test]
	fn the_command_line_is_well_formed() {
		Cli::command().debug_assert();
	}

	#[test]
	fn kernel_commands_parse() {
		for args in [
			"concord kernel run --kernel mandelbrot-q12 --params 8,8,10,-8192,-8192,2048",
			"concord kernel run --kernel matmul-i8 --params 2,2,2 --random-input 7 --cpu",
			"concord kernel bench --kernel sort-u32 --size medium",
			"concord kernel adapters",
			"concord worker run --key //Alice --state-dir /tmp/alice --cpu",
			"concord job submit --key //Dave --kernel sort-u32 --params 16 --random-input 1 --wait",
			"concord job status 3",
			"concord job list",
			"concord provider list --rpc ws://127.0.0.1:9955",
			"concord job fetch --key //Dave 3 --output /tmp/out.bin",
			"concord job grant --key //Dave 3",
			"concord job fetch 3 --grant 00 --output /tmp/out.bin",
			"concord job cancel --key //Dave 3",
			"concord provider register --key //Eve --stake 200CORD --price 1 --endpoint /ip4/127.0.0.1/tcp/40400 --memory-mib 1024 --kernels sort-u32,sha256-batch --cpu",
			"concord provider status --key //Eve",
			"concord provider go-offline --key //Eve",
			"concord job wait --rpc ws://127.0.0.1:9955 3",
			"concord blob add --store /tmp/blobs a.bin b.bin",
			"concord model train digits --out /tmp/digits.mlp",
			"concord model run digits --local --shards 4 --cpu",
			"concord model run digits --shards 4 --key //Dave --rpc ws://127.0.0.1:9955",
			"concord model run my.mlp --local --input x.bin --labels y.bin --output logits.bin",
			"concord blob serve --listen /ip4/127.0.0.1/tcp/0 a.bin",
			"concord blob fetch --from /ip4/127.0.0.1/tcp/4 --output x 0x0000000000000000000000000000000000000000000000000000000000000000:7",
		] {
			Cli::try_parse_from(args.split(' ')).unwrap_or_else(|e| panic!("{args}: {e}"));
		}
		assert!(
			Cli::try_parse_from("concord kernel run --kernel nope --params 1".split(' ')).is_err()
		);
	}
}
