//! The public face of the GPU side: one device, cached pipelines, pooled buffers.

use super::{
	adapter::{AdapterChoice, AdapterReport},
	buffers::BufferPool,
	device::Gpu,
	kernels::{self, SplitPolicy},
	pipelines::KernelPipelines,
};
use crate::{validate_job, KernelError};
use concord_primitives::kernel::{KernelId, KernelShape};
use std::collections::HashMap;

/// Runs kernels on one wgpu device. Build it once per worker: opening the device and compiling
/// pipelines is the slow part, and both are kept.
pub struct Executor {
	gpu: Gpu,
	pipelines: HashMap<KernelId, KernelPipelines>,
	pool: BufferPool,
	split: SplitPolicy,
}

impl Executor {
	/// Opens the adapter `choice` selects; fails with [`KernelError::NoAdapter`] when there is
	/// none at all.
	pub fn new(choice: AdapterChoice) -> Result<Executor, KernelError> {
		Ok(Executor {
			gpu: Gpu::open(&choice)?,
			pipelines: HashMap::new(),
			pool: BufferPool::default(),
			split: SplitPolicy::default(),
		})
	}

	/// The adapter this executor runs on.
	pub fn adapter(&self) -> &AdapterReport {
		&self.gpu.report
	}

	/// Largest storage binding this device allows, in bytes (jobs larger than this are split
	/// where the kernel allows it, and refused otherwise).
	pub fn max_binding_size(&self) -> u64 {
		self.gpu.limits.max_storage_buffer_binding_size.min(self.gpu.limits.max_buffer_size)
	}

	/// Compiles every kernel's pipelines now rather than on first use.
	pub fn warm_up(&mut self) -> Result<(), KernelError> {
		for kernel in KernelId::ALL {
			self.pipelines(kernel)?;
		}
		Ok(())
	}

	/// Validates the job, then runs it on the GPU. A bad job is refused before any GPU work.
	pub fn run(
		&mut self,
		kernel: KernelId,
		params: &[u32],
		input: &[u8],
	) -> Result<Vec<u8>, KernelError> {
		let shape = validate_job(kernel, params, input)?;
		self.run_shape(&shape, input)
	}

	/// Runs an already validated job (see [`validate_job`]).
	pub fn run_shape(&mut self, shape: &KernelShape, input: &[u8]) -> Result<Vec<u8>, KernelError> {
		let kernel = shape.kernel();
		self.gpu.health(kernel)?;
		self.pipelines(kernel)?;
		let Executor { gpu, pipelines, pool, split } = self;
		let Some(pipes) = pipelines.get(&kernel) else {
			return Err(KernelError::Pipeline { kernel, message: "pipeline missing".into() });
		};
		let result = gpu.scoped(kernel, || {
			let mut ctx = kernels::Ctx { gpu, pool, pipes, kernel, split: *split };
			kernels::run(&mut ctx, shape, input)
		});
		if result.is_err() {
			// A failed job may leave invalid buffers behind; start the next one clean.
			self.pool.clear();
		}
		result
	}

	/// Changes how big jobs are split (smaller chunks use less memory; outputs are unchanged).
	pub fn set_split_policy(&mut self, split: SplitPolicy) {
		self.split = split;
	}

	/// Frees the buffers kept for reuse.
	pub fn release_buffers(&mut self) {
		self.pool.clear();
	}

	fn pipelines(&mut self, kernel: KernelId) -> Result<&KernelPipelines, KernelError> {
		if !self.pipelines.contains_key(&kernel) {
			let built = KernelPipelines::build(&self.gpu, kernel, kernels::spec(kernel))?;
			self.pipelines.insert(kernel, built);
		}
		self.pipelines
			.get(&kernel)
			.ok_or(KernelError::Pipeline { kernel, message: "pipeline missing".into() })
	}
}
