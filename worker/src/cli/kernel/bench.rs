//! `concord kernel bench`: GPU and CPU-reference throughput of each kernel, measured in the
//! same run on the same random inputs, with a check that both give the same result hash.

use crate::cli::params;
use anyhow::Context;
use clap::{Args, ValueEnum};
use concord_kernels::{cpu, random, result_hash, AdapterChoice, Executor, KernelId, KernelShape};
use concord_primitives::{kernel::validate_params, market::window};
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct BenchArgs {
	/// Only this kernel (default: all).
	#[arg(long, value_parser = params::kernel)]
	kernel: Option<KernelId>,
	/// Job size.
	#[arg(long, value_enum, default_value_t = Size::Small)]
	size: Size,
	/// Seconds to spend measuring each side of each kernel (at least one run each).
	#[arg(long, default_value_t = 1.0)]
	seconds: f64,
	/// Seed of the random inputs.
	#[arg(long, default_value_t = 1)]
	seed: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Size {
	/// Seconds in total, even on a software GPU.
	Small,
	/// Large enough that launch overhead stops mattering on a real GPU.
	Medium,
	/// Each kernel's worst case, on which the chain's commit windows are sized
	/// (`window::reference_params`); prints how each side compares with the slowest rate the
	/// chain assumes.
	Reference,
}

/// Params per kernel and size (Q12 coordinates for mandelbrot: -2.0, -1.5).
fn bench_params(kernel: KernelId, size: Size) -> Vec<u32> {
	let (cx, cy) = ((-8192i32) as u32, (-6144i32) as u32);
	match (kernel, size) {
		(kernel, Size::Reference) => window::reference_params(kernel).to_vec(),
		(KernelId::MatmulI8, Size::Small) => vec![128, 128, 128],
		(KernelId::MatmulI8, Size::Medium) => vec![512, 512, 512],
		(KernelId::MlpI8, Size::Small) => vec![256, 3, 256, 256, 256, 10],
		(KernelId::MlpI8, Size::Medium) => vec![2048, 3, 512, 512, 512, 10],
		(KernelId::MandelbrotQ12, Size::Small) => vec![256, 256, 256, cx, cy, 48],
		(KernelId::MandelbrotQ12, Size::Medium) => vec![1024, 1024, 1024, cx, cy, 12],
		(KernelId::Stencil2dI32, Size::Small) => vec![256, 256, 16],
		(KernelId::Stencil2dI32, Size::Medium) => vec![1024, 1024, 64],
		(KernelId::SortU32, Size::Small) => vec![1 << 16],
		(KernelId::SortU32, Size::Medium) => vec![1 << 20],
		(KernelId::Sha256Batch, Size::Small) => vec![64, 1 << 14],
		(KernelId::Sha256Batch, Size::Medium) => vec![256, 1 << 16],
	}
}

pub fn run(args: BenchArgs, output: crate::cli::Output) -> anyhow::Result<()> {
	let mut executor = Executor::new(AdapterChoice::from_env())?;
	output.line(format!("GPU: {}", executor.adapter()));
	let budget = Duration::from_secs_f64(args.seconds.max(0.0));
	let kernels = args.kernel.map_or(KernelId::ALL.to_vec(), |k| vec![k]);
	output.line(format!(
		"{:<15} {:<28} {:>14} {:>14} {:>14} {:>9} {:>10} {:>10}  hashes",
		"kernel",
		"params",
		"work units",
		"GPU units/s",
		"CPU units/s",
		"GPU/CPU",
		"GPU/slow",
		"CPU/slow"
	));
	let mut rows = Vec::new();
	for kernel in kernels {
		let params = bench_params(kernel, args.size);
		let shape = validate_params(kernel, &params)?;
		let input = random::input(&shape, args.seed);
		// The first GPU run builds the pipeline and buffers; it is not timed.
		let gpu_out =
			executor.run_shape(&shape, &input).with_context(|| format!("{kernel} on the GPU"))?;
		let gpu_time = measure(budget, || executor.run_shape(&shape, &input).map(drop))?;
		let (cpu_out, cpu_time) = measure_cpu(budget, &shape, &input)?;
		let units = shape.work_units() as f64;
		let (gpu_rate, cpu_rate) = (units / gpu_time, units / cpu_time);
		let same = result_hash(&gpu_out) == result_hash(&cpu_out);
		// How each side compares with the slowest device the chain's windows are sized for.
		let slowest = window::slowest_rate(kernel) as f64;
		output.line(format!(
			"{:<15} {:<28} {:>14} {:>14.3e} {:>14.3e} {:>9.2} {:>10.2} {:>10.2}  {}",
			kernel.name(),
			format_params(kernel, &params),
			shape.work_units(),
			gpu_rate,
			cpu_rate,
			gpu_rate / cpu_rate,
			gpu_rate / slowest,
			cpu_rate / slowest,
			if same { "match" } else { "DIFFER" }
		));
		anyhow::ensure!(same, "{kernel}: GPU and CPU outputs differ");
		rows.push(serde_json::json!({
			"kernel": kernel.name(),
			"params": params,
			"work_units": shape.work_units(),
			"gpu_units_per_second": gpu_rate,
			"cpu_units_per_second": cpu_rate,
			"gpu_over_cpu": gpu_rate / cpu_rate,
			"slowest_units_per_second": window::slowest_rate(kernel),
			"outputs_match": same,
		}));
	}
	let value = serde_json::json!({ "gpu": executor.adapter().to_string(), "kernels": rows });
	if output.json {
		output.print("", value);
	}
	Ok(())
}

/// Median seconds per run of `f`, running it until `budget` is spent (at least once).
fn measure(
	budget: Duration,
	mut f: impl FnMut() -> Result<(), concord_kernels::KernelError>,
) -> anyhow::Result<f64> {
	let started = Instant::now();
	let mut times = Vec::new();
	while times.is_empty() || (started.elapsed() < budget && times.len() < 50) {
		let run = Instant::now();
		f()?;
		times.push(run.elapsed().as_secs_f64());
	}
	times.sort_by(f64::total_cmp);
	Ok(times[times.len() / 2])
}

fn measure_cpu(
	budget: Duration,
	shape: &KernelShape,
	input: &[u8],
) -> anyhow::Result<(Vec<u8>, f64)> {
	let mut output = Vec::new();
	let time = measure(budget, || {
		output = cpu::run_shape(shape, input)?;
		Ok(())
	})?;
	Ok((output, time))
}

/// Params as KERNELS.md writes them: mandelbrot-q12's `cx, cy, step` are `i32`.
fn format_params(kernel: KernelId, params: &[u32]) -> String {
	let signed = |i: usize| kernel == KernelId::MandelbrotQ12 && i >= 3;
	let text =
		|(i, &p): (usize, &u32)| if signed(i) { (p as i32).to_string() } else { p.to_string() };
	params.iter().enumerate().map(text).collect::<Vec<_>>().join(",")
}
