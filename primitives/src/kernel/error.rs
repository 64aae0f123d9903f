//! Why a job is refused. Every refusal has its own variant, with what a user needs to fix it.

use super::KernelId;
use core::fmt;

/// Params that break the kernel's contract.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
	/// The kernel takes between `min` and `max` params (equal for fixed-arity kernels).
	WrongParamCount { kernel: KernelId, min: u32, max: u32, got: u32 },
	/// Param `index` (named `name` in KERNELS.md) is outside `min..=max`. Values are widened to
	/// `i64` so that `u32` and `i32` params print as the contract states them.
	OutOfRange { kernel: KernelId, index: u32, name: &'static str, value: i64, min: i64, max: i64 },
}

impl fmt::Display for ParamsError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match *self {
			ParamsError::WrongParamCount { kernel, min, max, got } if min == max => {
				write!(f, "{kernel} takes {min} params, got {got}")
			}
			ParamsError::WrongParamCount { kernel, min, max, got } => {
				write!(f, "{kernel} takes {min} to {max} params, got {got}")
			}
			ParamsError::OutOfRange { kernel, index, name, value, min, max } => write!(
				f,
				"{kernel} param {index} (`{name}`) is {value}, it must be in {min}..={max}"
			),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ParamsError {}

/// Input bytes that do not fit valid params.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InputError {
	/// The params imply `expected` input bytes.
	LengthMismatch { expected: u64, got: u64 },
	/// mlp-i8's `shift_l` of layer `layer` (1-based, as in KERNELS.md) is outside `0..=31`.
	MlpShiftOutOfRange { layer: u32, shift: u32 },
}

impl fmt::Display for InputError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match *self {
			InputError::LengthMismatch { expected, got } => {
				write!(f, "input is {got} bytes but the params imply {expected} bytes")
			}
			InputError::MlpShiftOutOfRange { layer, shift } => {
				write!(f, "mlp-i8 layer {layer} has shift {shift}, it must be in 0..=31")
			}
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for InputError {}
