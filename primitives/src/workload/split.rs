//! How a workload divides into shards: each shard's params, the byte ranges of the workload's
//! input it reads, and where its output lands in the workload's output.
//!
//! A shard is a job in its own right, so its params pass the kernel's contract. Its input is
//! one or two segments of the workload's input, concatenated, computed here and never stored;
//! its output is a contiguous range of the workload's output, so the whole output is the shards'
//! outputs in index order. Units (rows, samples, messages) are dealt out as evenly as integers
//! allow: shard `i` of `N` over `U` units takes `[i·U/N, (i+1)·U/N)`.

use super::MAX_SHARDS;
use crate::kernel::{KernelId, KernelShape, ParamsError, MAX_PARAMS};
use core::fmt;

/// A byte range of the workload's input.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Segment {
	pub offset: u64,
	pub len: u64,
}

impl Segment {
	/// One past the segment's last byte.
	pub fn end(&self) -> u64 {
		self.offset.saturating_add(self.len)
	}
}

/// One shard of a workload: a job's params, its input as segments of the workload's input, and
/// its output's place in the workload's output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Shard {
	pub index: u32,
	params: [u32; MAX_PARAMS as usize],
	param_count: u8,
	segments: [Segment; 2],
	segment_count: u8,
	/// The shard's output is the workload's output bytes `[output.offset, output.end())`.
	pub output: Segment,
}

impl Shard {
	/// The shard's params, valid for the workload's kernel.
	pub fn params(&self) -> &[u32] {
		&self.params[..usize::from(self.param_count).min(self.params.len())]
	}

	/// The segments of the workload's input that, concatenated in order, are the shard's input.
	/// Empty for kernels without input; never holds an empty segment.
	pub fn input(&self) -> &[Segment] {
		&self.segments[..usize::from(self.segment_count).min(self.segments.len())]
	}

	/// The shard's input length: the segments' lengths summed.
	pub fn input_len(&self) -> u64 {
		self.input().iter().fold(0u64, |sum, s| sum.saturating_add(s.len))
	}
}

/// Why a workload cannot be divided as asked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SplitError {
	/// The workload's params break the kernel's contract.
	Params(ParamsError),
	/// A workload has at least one shard.
	NoShards,
	/// More shards than one workload may have.
	TooManyShards { shards: u32, max: u32 },
	/// The kernel's output is not a concatenation of its parts' outputs (stencil2d-i32,
	/// sort-u32), so it runs whole: one shard.
	NotSplittable { kernel: KernelId },
	/// Every shard needs at least one `unit` (row, sample, message), and there are fewer.
	DoesNotDivide { shards: u32, units: u32, unit: &'static str },
	/// Shard `index` does not exist in a workload of `shards` shards.
	NoSuchShard { index: u32, shards: u32 },
}

impl fmt::Display for SplitError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match *self {
			SplitError::Params(e) => write!(f, "{e}"),
			SplitError::NoShards => write!(f, "a workload needs at least one shard"),
			SplitError::TooManyShards { shards, max } => {
				write!(f, "{shards} shards asked, a workload has at most {max}")
			}
			SplitError::NotSplittable { kernel } => write!(
				f,
				"{kernel} runs whole (its output is not a concatenation of its parts'): use 1 shard"
			),
			SplitError::DoesNotDivide { shards, units, unit } => write!(
				f,
				"{shards} shards asked but there are only {units} {unit}s: each shard needs one"
			),
			SplitError::NoSuchShard { index, shards } => {
				write!(f, "shard {index} does not exist in a workload of {shards} shards")
			}
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for SplitError {}

impl From<ParamsError> for SplitError {
	fn from(e: ParamsError) -> Self {
		SplitError::Params(e)
	}
}

/// Checks that `kernel` with `params` divides into `shards` shards, without computing any.
pub fn check(kernel: KernelId, params: &[u32], shards: u32) -> Result<KernelShape, SplitError> {
	let shape = KernelShape::parse(kernel, params)?;
	if shards == 0 {
		return Err(SplitError::NoShards);
	}
	if shards > MAX_SHARDS {
		return Err(SplitError::TooManyShards { shards, max: MAX_SHARDS });
	}
	if shards > 1 {
		let Some((units, unit)) = units(&shape) else {
			return Err(SplitError::NotSplittable { kernel });
		};
		if shards > units {
			return Err(SplitError::DoesNotDivide { shards, units, unit });
		}
	}
	Ok(shape)
}

/// Shard `index` of `kernel` with `params` divided into `shards` shards.
pub fn split(
	kernel: KernelId,
	params: &[u32],
	shards: u32,
	index: u32,
) -> Result<Shard, SplitError> {
	let shape = check(kernel, params, shards)?;
	if index >= shards {
		return Err(SplitError::NoSuchShard { index, shards });
	}
	let mut shard = Shard {
		index,
		params: [0; MAX_PARAMS as usize],
		param_count: 0,
		segments: [Segment::default(); 2],
		segment_count: 0,
		output: Segment { offset: 0, len: shape.output_len() },
	};
	for (to, from) in shard.params.iter_mut().zip(params) {
		*to = *from;
	}
	shard.param_count = u8::try_from(params.len()).unwrap_or(0);
	let Some((units, _)) = units(&shape).filter(|_| shards > 1) else {
		// One shard is the whole job, whatever the kernel.
		shard.push_segment(0, shape.input_len());
		return Ok(shard);
	};
	let (first, last) = unit_range(units, shards, index);
	let count = last - first;
	let (first, count64) = (u64::from(first), u64::from(count));
	match shape {
		KernelShape::MatmulI8(s) => {
			// Rows `[first, last)` of A, then all of B.
			let (k, n) = (u64::from(s.k), u64::from(s.n));
			shard.params[0] = count;
			shard.push_segment(first * k, count64 * k);
			shard.push_segment(u64::from(s.m) * k, k * n);
			shard.output = Segment { offset: first * n * 4, len: count64 * n * 4 };
		}
		KernelShape::MlpI8(s) => {
			// All layers' weights, biases and shifts, then samples `[first, last)` of X.
			let (d_in, d_out) = (u64::from(s.d_in()), u64::from(s.d_out()));
			let samples = s.samples_offset();
			shard.params[0] = count;
			shard.push_segment(0, samples);
			shard.push_segment(samples + first * d_in, count64 * d_in);
			shard.output = Segment { offset: first * d_out * 4, len: count64 * d_out * 4 };
		}
		KernelShape::MandelbrotQ12(s) => {
			// Rows `[first, last)`: the window moves down by `first` rows, with the kernel's own
			// wrapping arithmetic, so every pixel's `c` is the one the whole job computes.
			let width = u64::from(s.width);
			shard.params[1] = count;
			shard.params[4] = s.cy.wrapping_add((first as i32).wrapping_mul(s.step)) as u32;
			shard.output = Segment { offset: first * width * 4, len: count64 * width * 4 };
		}
		KernelShape::Sha256Batch(s) => {
			// Messages `[first, last)`, a 32-byte digest each.
			let msg_len = u64::from(s.msg_len);
			shard.params[1] = count;
			shard.push_segment(first * msg_len, count64 * msg_len);
			shard.output = Segment { offset: first * 32, len: count64 * 32 };
		}
		// `units` returned `None` for the rest, so they ran whole above.
		KernelShape::Stencil2dI32(_) | KernelShape::SortU32(_) => {}
	}
	Ok(shard)
}

/// Every shard of the workload, in index order.
pub fn shards(
	kernel: KernelId,
	params: &[u32],
	shards: u32,
) -> Result<impl Iterator<Item = Shard> + '_, SplitError> {
	check(kernel, params, shards)?;
	// `check` passed, so every index below `shards` splits.
	Ok((0..shards).filter_map(move |index| split(kernel, params, shards, index).ok()))
}

/// How many units a kernel's work divides into, and what one is called; `None` when it runs
/// whole.
fn units(shape: &KernelShape) -> Option<(u32, &'static str)> {
	match shape {
		KernelShape::MatmulI8(s) => Some((s.m, "row")),
		KernelShape::MlpI8(s) => Some((s.batch, "sample")),
		KernelShape::MandelbrotQ12(s) => Some((s.height, "row")),
		KernelShape::Sha256Batch(s) => Some((s.count, "message")),
		KernelShape::Stencil2dI32(_) | KernelShape::SortU32(_) => None,
	}
}

/// Units `[first, last)` of shard `index` of `shards` over `units` units.
fn unit_range(units: u32, shards: u32, index: u32) -> (u32, u32) {
	let at = |i: u32| {
		let value = u64::from(i) * u64::from(units) / u64::from(shards.max(1));
		u32::try_from(value).unwrap_or(units)
	};
	(at(index), at(index.saturating_add(1)))
}

impl Shard {
	fn push_segment(&mut self, offset: u64, len: u64) {
		if len == 0 {
			return;
		}
		if let Some(slot) = self.segments.get_mut(usize::from(self.segment_count)) {
			*slot = Segment { offset, len };
			self.segment_count += 1;
		}
	}
}
