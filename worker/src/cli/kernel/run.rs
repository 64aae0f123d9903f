//! `concord kernel run`: one job, on the GPU or the CPU reference.

use crate::cli::{params::JobArgs, Output};
use anyhow::Context;
use clap::Args;
use concord_kernels::{cpu, result_hash, AdapterChoice, Executor};
use std::{path::PathBuf, time::Instant};

#[derive(Args)]
pub struct RunArgs {
	#[command(flatten)]
	job: JobArgs,
	/// Run the CPU reference instead of the GPU.
	#[arg(long)]
	cpu: bool,
	/// Write the output bytes here.
	#[arg(long)]
	output: Option<PathBuf>,
}

pub fn run(args: RunArgs, out: Output) -> anyhow::Result<()> {
	let input = args.job.input()?;
	let (kernel, params) = (args.job.kernel, &args.job.params);
	let started = Instant::now();
	let output = if args.cpu {
		out.progress("running on the CPU reference");
		cpu::run(kernel, params, &input)?
	} else {
		let mut executor = Executor::new(AdapterChoice::from_env())?;
		out.progress(format!("running on {}", executor.adapter()));
		executor.run(kernel, params, &input)?
	};
	let work_units = concord_primitives::kernel::validate_params(kernel, params)?.work_units();
	let seconds = started.elapsed().as_secs_f64();
	out.progress(format!(
		"{work_units} work units in {seconds:.3} s, {} output bytes",
		output.len()
	));
	if let Some(path) = &args.output {
		std::fs::write(path, &output).with_context(|| format!("writing {}", path.display()))?;
	}
	let hash = concord_worker::report::hash(&result_hash(&output));
	out.print(
		&hash,
		serde_json::json!({
			"kernel": kernel.name(),
			"params": params,
			"result_hash": hash,
			"work_units": work_units,
			"output_bytes": output.len(),
			"seconds": seconds,
			"device": if args.cpu { "CPU reference".to_string() } else { "GPU".to_string() },
		}),
	);
	Ok(())
}
