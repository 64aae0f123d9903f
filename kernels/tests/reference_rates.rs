//! The chain sizes a job's shortest commit window for `window::JOBS_AT_ONCE` jobs on the
//! slowest device it accepts, at `window::slowest_rate` on each kernel's worst case (NM4). This
//! machine's GPU (lavapipe in CI) and CPU reference must each reach that rate, less the
//! `window::SLACK` kept for a loaded machine. Mandelbrot's reference view must be its worst
//! case, every point running `max_iter`: on its mostly-escaping full view the rate is five
//! times higher, and the chain's old rate, taken from there, is more than twice what the CPU
//! reference reaches inside the set.

mod common;

use common::executor;
use concord_kernels::{cpu, random, KernelId};
use concord_primitives::{kernel::validate_params, market::window};
use std::time::Instant;

/// Runs measured per kernel and device; the fastest counts, since load only slows a run.
const RUNS: usize = 5;

fn best_rate(work_units: u64, mut run: impl FnMut()) -> f64 {
	let fastest = (0..RUNS)
		.map(|_| {
			let started = Instant::now();
			run();
			started.elapsed().as_secs_f64()
		})
		.fold(f64::INFINITY, f64::min);
	work_units as f64 / fastest.max(1e-9)
}

#[test]
fn mandelbrots_reference_view_runs_every_point_to_max_iter() {
	let kernel = KernelId::MandelbrotQ12;
	let params = window::reference_params(kernel);
	let output = cpu::run(kernel, params, &[]).expect("the CPU runs the reference");
	let max_iter = params[2].to_le_bytes();
	assert!(output.chunks(4).all(|point| point == max_iter), "a point of the view escapes");
}

#[test]
fn this_machine_runs_every_kernel_at_the_slowest_rate_the_chain_assumes() {
	let mut gpu = executor();
	let mut short = Vec::new();
	for kernel in KernelId::ALL {
		let params = window::reference_params(kernel);
		let shape = validate_params(kernel, params).expect("reference params are valid");
		let input = random::input(&shape, 1);
		let needed = window::slowest_rate(kernel) as f64 / window::SLACK as f64;
		let cpu = best_rate(shape.work_units(), || {
			cpu::run(kernel, params, &input).expect("the CPU runs the reference");
		});
		let mut line = format!("{kernel}: CPU {cpu:.3e}");
		if cpu < needed {
			short.push(format!("{kernel} on the CPU reference: {cpu:.3e} < {needed:.3e}"));
		}
		if let Some(gpu) = gpu.as_mut() {
			gpu.run(kernel, params, &input).expect("the GPU runs the reference");
			let rate = best_rate(shape.work_units(), || {
				gpu.run(kernel, params, &input).expect("the GPU runs the reference");
			});
			line += &format!(", GPU {rate:.3e}");
			if rate < needed {
				short.push(format!("{kernel} on the GPU: {rate:.3e} < {needed:.3e}"));
			}
		}
		eprintln!("{line} work units/s; slowest assumed {:.3e}", window::slowest_rate(kernel));
	}
	assert!(short.is_empty(), "slower than the chain's windows allow: {short:#?}");
}
