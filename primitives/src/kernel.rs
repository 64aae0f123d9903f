//! Kernel identifiers and their contracts (KERNELS.md): parameter bounds, input and output
//! sizes and the work-unit cost model.
//!
//! Everything here is integer-only, allocation-free and never panics, because the runtime uses
//! it to refuse bad jobs at submission and the worker uses it to refuse them before any GPU work.

mod error;
mod id;
mod input;
mod shape;

#[cfg(test)]
mod tests;

pub use error::{InputError, ParamsError};
pub use id::{KernelId, UnknownKernel};
pub use input::check_input;
pub use shape::{
	KernelShape, MandelbrotShape, MatmulShape, MlpLayerLayout, MlpShape, Sha256Shape, SortShape,
	StencilShape, MAX_PARAMS, MLP_MAX_LAYERS,
};

/// Checks `params` against every bound of `kernel`'s contract and returns the typed shape.
pub fn validate_params(kernel: KernelId, params: &[u32]) -> Result<KernelShape, ParamsError> {
	KernelShape::parse(kernel, params)
}

/// The exact input length in bytes that `params` imply.
pub fn input_len(kernel: KernelId, params: &[u32]) -> Result<u64, ParamsError> {
	validate_params(kernel, params).map(|shape| shape.input_len())
}

/// The exact output length in bytes that `params` imply.
pub fn output_len(kernel: KernelId, params: &[u32]) -> Result<u64, ParamsError> {
	validate_params(kernel, params).map(|shape| shape.output_len())
}

/// The deterministic cost of a job, used for pricing and deadlines.
pub fn work_units(kernel: KernelId, params: &[u32]) -> Result<u64, ParamsError> {
	validate_params(kernel, params).map(|shape| shape.work_units())
}
