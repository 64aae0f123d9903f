//! `concord kernel run`: one job, on the GPU or the CPU reference.

use crate::cli::params::JobArgs;
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

pub fn run(args: RunArgs) -> anyhow::Result<()> {
	let input = args.job.input()?;
	let (kernel, params) = (args.job.kernel, &args.job.params);
	let started = Instant::now();
	let output = if args.cpu {
		eprintln!("running on the CPU reference");
		cpu::run(kernel, params, &input)?
	} else {
		let mut executor = Executor::new(AdapterChoice::from_env())?;
		eprintln!("running on {}", executor.adapter());
		executor.run(kernel, params, &input)?
	};
	let work_units = concord_primitives::kernel::validate_params(kernel, params)?.work_units();
	eprintln!(
		"{work_units} work units in {:.3} s, {} output bytes",
		started.elapsed().as_secs_f64(),
		output.len()
	);
	if let Some(path) = &args.output {
		std::fs::write(path, &output).with_context(|| format!("writing {}", path.display()))?;
	}
	println!("{}", hex::encode(result_hash(&output)));
	Ok(())
}
