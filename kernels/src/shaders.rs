//! The WGSL source of each kernel, one file per kernel under `src/wgsl/`.

use concord_primitives::kernel::KernelId;

/// The WGSL module that implements `kernel`.
pub fn wgsl(kernel: KernelId) -> &'static str {
	match kernel {
		KernelId::MatmulI8 => include_str!("wgsl/matmul-i8.wgsl"),
		KernelId::MlpI8 => include_str!("wgsl/mlp-i8.wgsl"),
		KernelId::MandelbrotQ12 => include_str!("wgsl/mandelbrot-q12.wgsl"),
		KernelId::Stencil2dI32 => include_str!("wgsl/stencil2d-i32.wgsl"),
		KernelId::SortU32 => include_str!("wgsl/sort-u32.wgsl"),
		KernelId::Sha256Batch => include_str!("wgsl/sha256-batch.wgsl"),
	}
}
