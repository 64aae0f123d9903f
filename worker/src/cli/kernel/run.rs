//! `concord kernel run`: one job, on the GPU or the CPU reference.

use super::local::LocalArgs;
use crate::cli::Output;
use concord_kernels::result_hash;
use std::time::Instant;

pub fn run(args: LocalArgs, out: Output) -> anyhow::Result<()> {
	let input = args.job.input()?;
	let (kernel, params) = (args.job.kernel, &args.job.params);
	let started = Instant::now();
	let mut device = args.device(&out)?;
	let output = device.run(kernel, params, &input)?;
	let work_units = concord_primitives::kernel::validate_params(kernel, params)?.work_units();
	let seconds = started.elapsed().as_secs_f64();
	out.progress(format!(
		"{work_units} work units in {seconds:.3} s, {} output bytes",
		output.len()
	));
	args.keep(&output)?;
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
			"device": device.name(),
		}),
	);
	Ok(())
}
