//! `concord workload run --local`: a workload's shards run one after another on this machine's
//! GPU (or the CPU reference), assembled into the whole output.

use crate::cli::{kernel::local::LocalArgs, Output};
use clap::Args;
use concord_kernels::{result_hash, workload};
use concord_worker::report;
use std::time::Instant;

#[derive(Args)]
pub struct RunArgs {
	#[command(flatten)]
	run: LocalArgs,
	/// How many shards to divide the job into (1 to 1024; each gets at least one row, sample
	/// or message).
	#[arg(long)]
	shards: u32,
	/// Run every shard on this machine. Required: running on the network comes with
	/// workloads on chain.
	#[arg(long, required = true)]
	local: bool,
}

pub fn run(args: RunArgs, out: Output) -> anyhow::Result<()> {
	let input = args.run.job.input()?;
	let (kernel, params) = (args.run.job.kernel, &args.run.job.params);
	// Refused before any device is opened.
	concord_primitives::workload::check(kernel, params, args.shards)
		.map_err(workload::WorkloadError::from)?;
	let started = Instant::now();
	let mut device = args.run.device(&out)?;
	let assembled = workload::run_local(kernel, params, args.shards, &input, |shard, input| {
		device.run(kernel, shard.params(), input)
	})?;
	let seconds = started.elapsed().as_secs_f64();
	let result_hash = report::hash(&result_hash(&assembled.output));
	let aggregate_root = report::hash(&assembled.aggregate_root);
	out.progress(format!(
		"{} shards in {seconds:.3} s, {} output bytes; aggregate root {aggregate_root}",
		args.shards,
		assembled.output.len()
	));
	args.run.keep(&assembled.output)?;
	let shards: Vec<_> = assembled
		.leaves
		.iter()
		.map(|leaf| {
			serde_json::json!({
				"index": leaf.index,
				"result_hash": report::hash(&leaf.root),
				"output_bytes": leaf.size,
			})
		})
		.collect();
	out.print(
		&result_hash,
		serde_json::json!({
			"kernel": kernel.name(),
			"params": params,
			"shards": shards,
			"aggregate_root": aggregate_root,
			"result_hash": result_hash,
			"output_bytes": assembled.output.len(),
			"seconds": seconds,
			"device": device.name(),
		}),
	);
	Ok(())
}
