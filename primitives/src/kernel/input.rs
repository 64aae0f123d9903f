//! Checks of the input bytes themselves, for inputs the chain sees inline and for the worker.

use super::{InputError, KernelShape};

/// Checks that `input` fits `shape`: its exact length and, for mlp-i8, every `shift_l` in
/// `0..=31`. Reads at most `L` words; allocates nothing.
pub fn check_input(shape: &KernelShape, input: &[u8]) -> Result<(), InputError> {
	let expected = shape.input_len();
	let got = input.len() as u64;
	if got != expected {
		return Err(InputError::LengthMismatch { expected, got });
	}
	if let KernelShape::MlpI8(mlp) = shape {
		for layer in 1..=mlp.layers() {
			let Some(at) = mlp.layer(layer).and_then(|l| usize::try_from(l.shift_offset).ok())
			else {
				continue;
			};
			let shift = input
				.get(at..at.saturating_add(4))
				.and_then(|b| <[u8; 4]>::try_from(b).ok())
				.map_or(u32::MAX, u32::from_le_bytes);
			if shift > 31 {
				return Err(InputError::MlpShiftOutOfRange { layer, shift });
			}
		}
	}
	Ok(())
}
