//! Parsing kernel names and param lists from the command line.

use concord_kernels::KernelId;

/// A kernel by its KERNELS.md name.
pub fn kernel(name: &str) -> Result<KernelId, String> {
	name.parse::<KernelId>().map_err(|e| e.to_string())
}

/// One param of a `64,64,64` list; negative values (mandelbrot-q12's `cx`, `cy`) are taken as
/// their `i32` bits.
pub fn param(text: &str) -> Result<u32, String> {
	match text.trim().parse::<i64>() {
		Ok(v) if (0..=i64::from(u32::MAX)).contains(&v) => Ok(v as u32),
		Ok(v) if (i64::from(i32::MIN)..0).contains(&v) => Ok(v as i32 as u32),
		_ => Err(format!("{text:?} is not a u32 or i32")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn params_accept_signed_values() {
		assert_eq!(param(" 64"), Ok(64));
		assert_eq!(param("-1"), Ok(u32::MAX));
		assert_eq!(param("4294967295"), Ok(u32::MAX));
		assert!(param("x").is_err());
		assert!(param("4294967296").is_err());
		assert!(param("-2147483649").is_err());
	}
}
