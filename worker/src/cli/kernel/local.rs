//! What `kernel run` and `workload run --local` share: the job, the device it runs on (the GPU
//! or the CPU reference) and where the output goes.

use crate::cli::{params::JobArgs, Output};
use anyhow::Context;
use clap::Args;
use concord_kernels::{cpu, AdapterChoice, Executor, KernelError, KernelId};
use std::path::PathBuf;

#[derive(Args)]
pub struct LocalArgs {
	#[command(flatten)]
	pub job: JobArgs,
	/// Run the CPU reference instead of the GPU.
	#[arg(long)]
	pub cpu: bool,
	/// Write the output bytes here.
	#[arg(long)]
	pub output: Option<PathBuf>,
}

/// The GPU executor, or the CPU reference when `--cpu`.
pub struct Device(Option<Executor>);

impl LocalArgs {
	/// Opens the device, saying which.
	pub fn device(&self, out: &Output) -> anyhow::Result<Device> {
		Device::open(self.cpu, out)
	}

	/// Writes the output where `--output` says, if it does.
	pub fn keep(&self, output: &[u8]) -> anyhow::Result<()> {
		if let Some(path) = &self.output {
			std::fs::write(path, output).with_context(|| format!("writing {}", path.display()))?;
		}
		Ok(())
	}
}

impl Device {
	/// The GPU, or the CPU reference when `cpu`, saying which.
	pub fn open(cpu: bool, out: &Output) -> anyhow::Result<Device> {
		if cpu {
			out.progress("running on the CPU reference");
			return Ok(Device(None));
		}
		let executor = Executor::new(AdapterChoice::from_env())?;
		out.progress(format!("running on {}", executor.adapter()));
		Ok(Device(Some(executor)))
	}

	pub fn run(
		&mut self,
		kernel: KernelId,
		params: &[u32],
		input: &[u8],
	) -> Result<Vec<u8>, KernelError> {
		match &mut self.0 {
			Some(executor) => executor.run(kernel, params, input),
			None => cpu::run(kernel, params, input),
		}
	}

	/// How `--json` names it.
	pub fn name(&self) -> &'static str {
		if self.0.is_some() {
			"GPU"
		} else {
			"CPU reference"
		}
	}
}
