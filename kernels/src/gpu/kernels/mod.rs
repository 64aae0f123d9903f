//! Host side of each kernel: packing inputs, splitting work to fit the device, recording
//! dispatches and reading the output back.

mod mandelbrot_q12;
mod matmul_i8;
mod mlp_i8;
mod sha256_batch;
mod sort_u32;
mod stencil2d_i32;

use super::{
	buffers::{BufferPool, STAGING, STORAGE},
	device::Gpu,
	grid,
	pipelines::{KernelPipelines, Spec},
};
use crate::KernelError;
use concord_primitives::kernel::{KernelId, KernelShape};

/// Dispatches recorded in one command buffer at most.
const MAX_DISPATCHES_PER_SUBMIT: u64 = 4096;

pub(super) fn spec(kernel: KernelId) -> &'static Spec {
	match kernel {
		KernelId::MatmulI8 => &matmul_i8::SPEC,
		KernelId::MlpI8 => &mlp_i8::SPEC,
		KernelId::MandelbrotQ12 => &mandelbrot_q12::SPEC,
		KernelId::Stencil2dI32 => &stencil2d_i32::SPEC,
		KernelId::SortU32 => &sort_u32::SPEC,
		KernelId::Sha256Batch => &sha256_batch::SPEC,
	}
}

pub(super) fn run(
	ctx: &mut Ctx<'_>,
	shape: &KernelShape,
	input: &[u8],
) -> Result<Vec<u8>, KernelError> {
	// Every size below is computed in usize; make sure the whole job fits the address space.
	ctx.usize(shape.input_len().max(shape.output_len()))?;
	match shape {
		KernelShape::MatmulI8(s) => matmul_i8::run(ctx, s, input),
		KernelShape::MlpI8(s) => mlp_i8::run(ctx, s, input),
		KernelShape::MandelbrotQ12(s) => mandelbrot_q12::run(ctx, s),
		KernelShape::Stencil2dI32(s) => stencil2d_i32::run(ctx, s, input),
		KernelShape::SortU32(s) => sort_u32::run(ctx, s, input),
		KernelShape::Sha256Batch(s) => sha256_batch::run(ctx, s, input),
	}
}

/// What a kernel's host code works with during one job.
pub(super) struct Ctx<'a> {
	pub gpu: &'a Gpu,
	pub pool: &'a mut BufferPool,
	pub pipes: &'a KernelPipelines,
	pub kernel: KernelId,
	pub split: SplitPolicy,
}

/// How big jobs are cut up. Results never depend on it; only memory use and submit length do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitPolicy {
	/// Bytes one buffer of a split job may hold (also capped by the device's binding limit),
	/// so that huge jobs (sha256-batch's 4 GiB input, mlp-i8's 1 GiB output) stream through
	/// bounded memory.
	pub chunk_bytes: u64,
	/// Work units per submit for kernels whose dispatches can run long (mandelbrot-q12,
	/// stencil2d-i32), so that no single submission holds the GPU for many seconds.
	pub submit_work: u64,
}

impl Default for SplitPolicy {
	fn default() -> Self {
		SplitPolicy { chunk_bytes: 1 << 27, submit_work: 1 << 32 }
	}
}

impl Ctx<'_> {
	/// A pooled storage buffer for `role`, after checking it fits one binding.
	fn storage(&mut self, role: &'static str, bytes: u64) -> Result<wgpu::Buffer, KernelError> {
		self.gpu.check_binding(self.kernel, role, bytes)?;
		Ok(self.pool.get(&self.gpu.device, role, bytes, STORAGE))
	}

	/// The pooled readback buffer.
	fn staging(&mut self, bytes: u64) -> Result<wgpu::Buffer, KernelError> {
		self.gpu.check_binding(self.kernel, "readback buffer", bytes)?;
		Ok(self.pool.get(&self.gpu.device, "staging", bytes, STAGING))
	}

	/// Bytes a split buffer may hold: the device's binding limit, capped by the split policy.
	fn chunk_bytes(&self) -> u64 {
		let limits = &self.gpu.limits;
		limits
			.max_storage_buffer_binding_size
			.min(limits.max_buffer_size)
			.min(self.split.chunk_bytes)
			.max(4)
	}

	fn max_groups(&self) -> u32 {
		self.gpu.limits.max_compute_workgroups_per_dimension
	}

	/// A 2D grid of `workgroup_size`-wide groups covering `invocations`.
	fn grid(&self, invocations: u64, workgroup_size: u32) -> Result<(u32, u32), KernelError> {
		grid::fold(self.kernel, invocations, workgroup_size, self.max_groups())
	}

	/// A workgroup count for one dimension, refused if over the device's limit.
	fn groups(&self, count: u64) -> Result<u32, KernelError> {
		let limit = self.max_groups();
		u32::try_from(count).ok().filter(|&c| c <= limit).ok_or(KernelError::ExceedsDeviceLimits {
			kernel: self.kernel,
			what: "workgroup count",
			needed: count,
			limit: limit.into(),
		})
	}

	fn usize(&self, bytes: u64) -> Result<usize, KernelError> {
		usize::try_from(bytes)
			.map_err(|_| KernelError::ExceedsHostMemory { kernel: self.kernel, bytes })
	}
}

/// Records one dispatch of `entry` with the params slot at `offset`.
fn dispatch(
	pass: &mut wgpu::ComputePass<'_>,
	pipeline: &wgpu::ComputePipeline,
	bind_group: &wgpu::BindGroup,
	offset: u32,
	(x, y): (u32, u32),
) {
	pass.set_pipeline(pipeline);
	pass.set_bind_group(0, bind_group, &[offset]);
	pass.dispatch_workgroups(x, y, 1);
}

fn pass<'e>(encoder: &'e mut wgpu::CommandEncoder) -> wgpu::ComputePass<'e> {
	encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: None })
}
