//! CPU references: each kernel written as literally as KERNELS.md states it, in plain Rust with
//! wrapping `i32` arithmetic. They are the oracle the GPU kernels are tested against and the
//! fallback for jobs a device cannot hold.

mod mandelbrot_q12;
mod matmul_i8;
mod mlp_i8;
mod sha256_batch;
mod sort_u32;
mod stencil2d_i32;

use crate::{validate_job, KernelError};
use concord_primitives::kernel::{KernelId, KernelShape};

/// Validates the job, then computes its output on the CPU.
pub fn run(kernel: KernelId, params: &[u32], input: &[u8]) -> Result<Vec<u8>, KernelError> {
	let shape = validate_job(kernel, params, input)?;
	run_shape(&shape, input)
}

/// Computes the output of an already validated job (see [`validate_job`]).
pub fn run_shape(shape: &KernelShape, input: &[u8]) -> Result<Vec<u8>, KernelError> {
	let kernel = shape.kernel();
	let bytes = shape.output_len().max(shape.input_len());
	if usize::try_from(bytes).is_err() {
		return Err(KernelError::ExceedsHostMemory { kernel, bytes });
	}
	Ok(match shape {
		KernelShape::MatmulI8(s) => matmul_i8::run(s, input),
		KernelShape::MlpI8(s) => mlp_i8::run(s, input),
		KernelShape::MandelbrotQ12(s) => mandelbrot_q12::run(s),
		KernelShape::Stencil2dI32(s) => stencil2d_i32::run(s, input),
		KernelShape::SortU32(s) => sort_u32::run(s, input),
		KernelShape::Sha256Batch(s) => sha256_batch::run(s, input),
	})
}

/// Little-endian `i32`s of `bytes` (whose length is a multiple of 4 after validation).
fn read_i32s(bytes: &[u8]) -> Vec<i32> {
	bytes.chunks_exact(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn write_i32s(values: &[i32]) -> Vec<u8> {
	values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests;
