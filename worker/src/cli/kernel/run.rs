//! `concord kernel run`: one job, on the GPU or the CPU reference.

use super::params;
use anyhow::Context;
use clap::Args;
use concord_kernels::{cpu, random, result_hash, validate_job, AdapterChoice, Executor, KernelId};
use concord_primitives::kernel::validate_params;
use std::{path::PathBuf, time::Instant};

#[derive(Args)]
pub struct RunArgs {
	/// Kernel name, e.g. matmul-i8.
	#[arg(long, value_parser = params::kernel)]
	kernel: KernelId,
	/// Comma-separated params, e.g. 64,64,64 (negative values allowed for i32 params).
	#[arg(long, required = true, value_delimiter = ',', allow_hyphen_values = true, value_parser = params::param)]
	params: Vec<u32>,
	/// Input file (raw bytes, as KERNELS.md lays them out).
	#[arg(long, conflicts_with = "random_input")]
	input: Option<PathBuf>,
	/// Generate a deterministic random input of the right length from this seed instead.
	#[arg(long, value_name = "SEED")]
	random_input: Option<u64>,
	/// Run the CPU reference instead of the GPU.
	#[arg(long)]
	cpu: bool,
	/// Write the output bytes here.
	#[arg(long)]
	output: Option<PathBuf>,
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
	let shape = validate_params(args.kernel, &args.params)?;
	let input = match (&args.input, args.random_input) {
		(Some(path), _) => {
			std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
		}
		(None, Some(seed)) => random::input(&shape, seed),
		(None, None) if shape.input_len() == 0 => Vec::new(),
		(None, None) => anyhow::bail!(
			"{} needs {} input bytes: pass --input FILE or --random-input SEED",
			args.kernel,
			shape.input_len()
		),
	};
	validate_job(args.kernel, &args.params, &input)?;

	let started = Instant::now();
	let output = if args.cpu {
		eprintln!("running on the CPU reference");
		cpu::run_shape(&shape, &input)?
	} else {
		let mut executor = Executor::new(AdapterChoice::from_env())?;
		eprintln!("running on {}", executor.adapter());
		executor.run_shape(&shape, &input)?
	};
	eprintln!(
		"{} work units in {:.3} s, {} output bytes",
		shape.work_units(),
		started.elapsed().as_secs_f64(),
		output.len()
	);
	if let Some(path) = &args.output {
		std::fs::write(path, &output).with_context(|| format!("writing {}", path.display()))?;
	}
	println!("{}", hex::encode(result_hash(&output)));
	Ok(())
}
