//! Running a job's kernel: on the GPU through the wgpu executor, or on the CPU reference when
//! the operator asks for it. Both give the same bytes (KERNELS.md).

use anyhow::Context;
use concord_kernels::{cpu, AdapterChoice, Executor, KernelError, KernelId};
use std::sync::{Arc, Mutex};

/// Where the worker runs kernels.
#[derive(Clone)]
pub enum Device {
	/// One GPU, one job at a time: the executor caches pipelines and buffers between jobs.
	Gpu(Arc<Mutex<Executor>>),
	/// The plain Rust references.
	Cpu,
}

impl Device {
	/// The GPU chosen by `WGPU_BACKEND` / `CONCORD_ADAPTER`, or an error naming what is
	/// missing; `cpu` picks the CPU reference instead.
	pub fn open(cpu: bool) -> anyhow::Result<Device> {
		if cpu {
			return Ok(Device::Cpu);
		}
		let executor = Executor::new(AdapterChoice::from_env()).context(
			"no usable GPU adapter (pass --cpu, or --provider-cpu to concord-node, to run the \
				 CPU reference)",
		)?;
		Ok(Device::Gpu(Arc::new(Mutex::new(executor))))
	}

	pub fn describe(&self) -> String {
		match self {
			Device::Gpu(executor) => match executor.lock() {
				Ok(executor) => executor.adapter().to_string(),
				Err(_) => "a GPU whose executor panicked".into(),
			},
			Device::Cpu => "the CPU reference".into(),
		}
	}

	/// Runs `kernel` on `input`; a job that breaks the kernel's contract is refused before
	/// any work.
	/// Blocking: call it from a blocking task.
	pub fn run(
		&self,
		kernel: KernelId,
		params: &[u32],
		input: &[u8],
	) -> Result<Vec<u8>, KernelError> {
		Ok(match self {
			Device::Gpu(executor) => match executor.lock() {
				Ok(mut executor) => executor.run(kernel, params, input)?,
				Err(_) => {
					let message = "the GPU executor panicked on an earlier job".into();
					return Err(KernelError::Gpu { kernel, message });
				}
			},
			Device::Cpu => cpu::run(kernel, params, input)?,
		})
	}
}
