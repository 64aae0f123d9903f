//! What names a job on the command line: kernel, params and input.

use anyhow::Context;
use clap::Args;
use concord_kernels::{random, validate_job, KernelId};
use concord_primitives::kernel::validate_params;
use std::path::PathBuf;

/// `--kernel`, `--params` and the input, shared by `kernel run` and `job submit`.
#[derive(Args)]
pub struct JobArgs {
	/// Kernel name, e.g. matmul-i8.
	#[arg(long, value_parser = kernel)]
	pub kernel: KernelId,
	/// Comma-separated params, e.g. 64,64,64 (negative values allowed for i32 params).
	#[arg(long, required = true, value_delimiter = ',', allow_hyphen_values = true, value_parser = param)]
	pub params: Vec<u32>,
	/// Input file (raw bytes, as KERNELS.md lays them out).
	#[arg(long, conflicts_with = "random_input")]
	pub input: Option<PathBuf>,
	/// Generate a deterministic random input of the right length from this seed instead.
	#[arg(long, value_name = "SEED")]
	pub random_input: Option<u64>,
}

/// A job's input as the command line gives it.
pub enum JobInput {
	/// Bytes in memory: small enough for the chain to carry, or generated.
	Bytes(Vec<u8>),
	/// A file too large to carry inline, of the size the params imply: served, never read
	/// whole into memory.
	File(PathBuf),
}

impl JobArgs {
	/// The job's input: a file larger than the chain carries inline is checked for its size
	/// only (its content rules, mlp-i8's shifts, are checked by each provider that fetches
	/// it); anything else as [`Self::input`] gives it.
	pub fn job_input(&self, inline_bound: u64) -> anyhow::Result<JobInput> {
		if let Some(path) = &self.input {
			let len = std::fs::metadata(path)
				.with_context(|| format!("reading {}", path.display()))?
				.len();
			if len > inline_bound {
				let shape = validate_params(self.kernel, &self.params)?;
				anyhow::ensure!(
					len == shape.input_len(),
					"{} is {len} bytes, and {} with these params takes {} input bytes",
					path.display(),
					self.kernel,
					shape.input_len()
				);
				return Ok(JobInput::File(path.clone()));
			}
		}
		Ok(JobInput::Bytes(self.input()?))
	}

	/// The input bytes, checked against the kernel's contract.
	pub fn input(&self) -> anyhow::Result<Vec<u8>> {
		let shape = validate_params(self.kernel, &self.params)?;
		let input = match (&self.input, self.random_input) {
			(Some(path), _) => {
				std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
			}
			(None, Some(seed)) => random::input(&shape, seed),
			(None, None) if shape.input_len() == 0 => Vec::new(),
			(None, None) => anyhow::bail!(
				"{} needs {} input bytes: pass --input FILE or --random-input SEED",
				self.kernel,
				shape.input_len()
			),
		};
		validate_job(self.kernel, &self.params, &input)?;
		Ok(input)
	}
}

/// A kernel by its KERNELS.md name.
pub fn kernel(name: &str) -> Result<KernelId, String> {
	name.parse::<KernelId>().map_err(|e| e.to_string())
}

/// One param of a `64,64,64` list; negative values (mandelbrot-q12's `cx`, `cy`) are taken as
/// their `i32` bits.
pub fn param(text: &str) -> Result<u32, String> {
	let trimmed = text.trim();
	// Digits with an optional `-`: Rust's own parse would also take a leading `+`.
	let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
	if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
		return Err(format!("{text:?} is not a u32 or i32"));
	}
	match trimmed.parse::<i64>() {
		Ok(v) if (0..=i64::from(u32::MAX)).contains(&v) => Ok(v as u32),
		Ok(v) if (i64::from(i32::MIN)..0).contains(&v) => Ok(v as i32 as u32),
		_ => Err(format!("{text:?} is not a u32 or i32")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The dashboard reads params too (`ui/src/kernels.ts`); both read these vectors.
	#[test]
	fn params_match_the_vectors_the_dashboard_reads() {
		let vectors: serde_json::Value =
			serde_json::from_str(include_str!("../../../tests/vectors/params.json")).unwrap();
		let cases = vectors["cases"].as_array().unwrap();
		assert!(cases.iter().any(|c| c["value"].is_null()) && cases.len() > 10);
		for case in cases {
			let text = case["text"].as_str().unwrap();
			let expected = case["value"].as_u64().map(|value| value as u32);
			assert_eq!(param(text).ok(), expected, "{text:?}");
		}
	}

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
