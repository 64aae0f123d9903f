//! The one gate every job passes before any computation, CPU or GPU.

use crate::KernelError;
use concord_primitives::kernel::{check_input, validate_params, KernelId, KernelShape};

/// Validates params and input against the contract, so that a bad job is refused whole and
/// never half-run.
pub fn validate_job(
	kernel: KernelId,
	params: &[u32],
	input: &[u8],
) -> Result<KernelShape, KernelError> {
	let shape = validate_params(kernel, params)?;
	check_input(&shape, input)?;
	Ok(shape)
}
