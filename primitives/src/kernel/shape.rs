//! Validated params, typed per kernel, and the sizes and costs they imply.
//!
//! All sizes are `u64` computed with saturating arithmetic. Within the contract's bounds no
//! value comes near `u64::MAX` (the largest, sha256-batch's input, is 2^32 bytes), so saturation
//! never changes a result; it only keeps hand-built out-of-contract shapes from panicking.

use super::{KernelId, ParamsError};

/// Most params any kernel takes: mlp-i8 with 7 layers has `batch, L, d0..=d7`.
pub const MAX_PARAMS: u32 = 2 + (MLP_MAX_LAYERS as u32) + 1;

/// Most layers of an mlp-i8 job.
pub const MLP_MAX_LAYERS: usize = 7;

/// The params of a job after validation, with the names KERNELS.md gives them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KernelShape {
	MatmulI8(MatmulShape),
	MlpI8(MlpShape),
	MandelbrotQ12(MandelbrotShape),
	Stencil2dI32(StencilShape),
	SortU32(SortShape),
	Sha256Batch(Sha256Shape),
}

/// matmul-i8: `A` is `m x k`, `B` is `k x n`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MatmulShape {
	pub m: u32,
	pub k: u32,
	pub n: u32,
}

/// mlp-i8: `batch` samples through `L` layers of widths `d0..=dL`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MlpShape {
	pub batch: u32,
	layers: u32,
	/// `dims[0..=layers]` are `d0..=dL`; the rest are zero.
	dims: [u32; MLP_MAX_LAYERS + 1],
}

/// Where layer `l`'s parameters sit in an mlp-i8 input (byte offsets from the input's start).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MlpLayerLayout {
	/// `d_(l-1)`: inputs of each unit.
	pub d_in: u32,
	/// `d_l`: units of the layer.
	pub d_out: u32,
	/// `W_l`, `d_out * d_in` `i8`, row-major, row = output unit.
	pub weights_offset: u64,
	/// `b_l`, `d_out` little-endian `i32`.
	pub bias_offset: u64,
	/// `shift_l`, one little-endian `u32`.
	pub shift_offset: u64,
}

/// mandelbrot-q12: a `width x height` window, Q12 fixed point.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MandelbrotShape {
	pub width: u32,
	pub height: u32,
	pub max_iter: u32,
	pub cx: i32,
	pub cy: i32,
	pub step: i32,
}

/// stencil2d-i32: `steps` diffusion steps on a `width x height` grid.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct StencilShape {
	pub width: u32,
	pub height: u32,
	pub steps: u32,
}

/// sort-u32: `n` values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SortShape {
	pub n: u32,
}

/// sha256-batch: `count` messages of `msg_len` bytes each.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Sha256Shape {
	pub msg_len: u32,
	pub count: u32,
}

/// Reads params by index and checks their bounds, naming the kernel and param in any error.
struct Reader<'a> {
	kernel: KernelId,
	params: &'a [u32],
}

impl Reader<'_> {
	fn count(&self, min: u32, max: u32) -> Result<(), ParamsError> {
		let got = u32::try_from(self.params.len()).unwrap_or(u32::MAX);
		if got < min || got > max {
			return Err(ParamsError::WrongParamCount { kernel: self.kernel, min, max, got });
		}
		Ok(())
	}

	/// Param `index` as `u32`, which must be in `min..=max`.
	fn u32(
		&self,
		index: usize,
		name: &'static str,
		min: u32,
		max: u32,
	) -> Result<u32, ParamsError> {
		let value = self.raw(index, name)?;
		if value < min || value > max {
			return Err(self.out_of_range(index, name, value.into(), min.into(), max.into()));
		}
		Ok(value)
	}

	/// Param `index` read as `i32`, which must be in `min..=max`.
	fn i32(
		&self,
		index: usize,
		name: &'static str,
		min: i32,
		max: i32,
	) -> Result<i32, ParamsError> {
		let value = self.raw(index, name)? as i32;
		if value < min || value > max {
			return Err(self.out_of_range(index, name, value.into(), min.into(), max.into()));
		}
		Ok(value)
	}

	fn raw(&self, index: usize, name: &'static str) -> Result<u32, ParamsError> {
		// `count` ran first, so a missing param is a bug in the caller, reported as out of range
		// rather than a panic.
		self.params.get(index).copied().ok_or_else(|| self.out_of_range(index, name, 0, 0, 0))
	}

	fn out_of_range(
		&self,
		index: usize,
		name: &'static str,
		value: i64,
		min: i64,
		max: i64,
	) -> ParamsError {
		let index = u32::try_from(index).unwrap_or(u32::MAX);
		ParamsError::OutOfRange { kernel: self.kernel, index, name, value, min, max }
	}
}

/// Names of mlp-i8's width params, by index into `d0..=d7`.
const MLP_DIM_NAMES: [&str; MLP_MAX_LAYERS + 1] = ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"];

impl KernelShape {
	/// Validates `params` for `kernel` against every bound of KERNELS.md.
	pub fn parse(kernel: KernelId, params: &[u32]) -> Result<KernelShape, ParamsError> {
		let r = Reader { kernel, params };
		Ok(match kernel {
			KernelId::MatmulI8 => {
				r.count(3, 3)?;
				KernelShape::MatmulI8(MatmulShape {
					m: r.u32(0, "m", 1, 4096)?,
					k: r.u32(1, "k", 1, 4096)?,
					n: r.u32(2, "n", 1, 4096)?,
				})
			}
			KernelId::MlpI8 => {
				r.count(4, MAX_PARAMS)?;
				let batch = r.u32(0, "batch", 1, 65536)?;
				let layers = r.u32(1, "L", 1, MLP_MAX_LAYERS as u32)?;
				r.count(layers + 3, layers + 3)?;
				let mut dims = [0; MLP_MAX_LAYERS + 1];
				for (l, dim) in dims.iter_mut().enumerate().take(layers as usize + 1) {
					*dim = r.u32(l + 2, MLP_DIM_NAMES[l], 1, 4096)?;
				}
				KernelShape::MlpI8(MlpShape { batch, layers, dims })
			}
			KernelId::MandelbrotQ12 => {
				r.count(6, 6)?;
				KernelShape::MandelbrotQ12(MandelbrotShape {
					width: r.u32(0, "width", 1, 4096)?,
					height: r.u32(1, "height", 1, 4096)?,
					max_iter: r.u32(2, "max_iter", 1, 65535)?,
					cx: r.i32(3, "cx", i32::MIN, i32::MAX)?,
					cy: r.i32(4, "cy", i32::MIN, i32::MAX)?,
					step: r.i32(5, "step", 1, i32::MAX)?,
				})
			}
			KernelId::Stencil2dI32 => {
				r.count(3, 3)?;
				KernelShape::Stencil2dI32(StencilShape {
					width: r.u32(0, "width", 3, 4096)?,
					height: r.u32(1, "height", 3, 4096)?,
					steps: r.u32(2, "steps", 1, 100_000)?,
				})
			}
			KernelId::SortU32 => {
				r.count(1, 1)?;
				KernelShape::SortU32(SortShape { n: r.u32(0, "n", 1, 16_777_216)? })
			}
			KernelId::Sha256Batch => {
				r.count(2, 2)?;
				KernelShape::Sha256Batch(Sha256Shape {
					msg_len: r.u32(0, "msg_len", 0, 4096)?,
					count: r.u32(1, "count", 1, 1_048_576)?,
				})
			}
		})
	}

	/// Which kernel these params belong to.
	pub fn kernel(&self) -> KernelId {
		match self {
			KernelShape::MatmulI8(_) => KernelId::MatmulI8,
			KernelShape::MlpI8(_) => KernelId::MlpI8,
			KernelShape::MandelbrotQ12(_) => KernelId::MandelbrotQ12,
			KernelShape::Stencil2dI32(_) => KernelId::Stencil2dI32,
			KernelShape::SortU32(_) => KernelId::SortU32,
			KernelShape::Sha256Batch(_) => KernelId::Sha256Batch,
		}
	}

	/// Input length in bytes.
	pub fn input_len(&self) -> u64 {
		match self {
			KernelShape::MatmulI8(s) => s.input_len(),
			KernelShape::MlpI8(s) => s.input_len(),
			KernelShape::MandelbrotQ12(_) => 0,
			KernelShape::Stencil2dI32(s) => cells(s.width, s.height).saturating_mul(4),
			KernelShape::SortU32(s) => u64::from(s.n).saturating_mul(4),
			KernelShape::Sha256Batch(s) => u64::from(s.msg_len).saturating_mul(s.count.into()),
		}
	}

	/// Output length in bytes.
	pub fn output_len(&self) -> u64 {
		match self {
			KernelShape::MatmulI8(s) => u64::from(s.m).saturating_mul(s.n.into()).saturating_mul(4),
			KernelShape::MlpI8(s) => {
				u64::from(s.batch).saturating_mul(s.d_out().into()).saturating_mul(4)
			}
			KernelShape::MandelbrotQ12(s) => cells(s.width, s.height).saturating_mul(4),
			KernelShape::Stencil2dI32(s) => cells(s.width, s.height).saturating_mul(4),
			KernelShape::SortU32(s) => u64::from(s.n).saturating_mul(4),
			KernelShape::Sha256Batch(s) => u64::from(s.count).saturating_mul(32),
		}
	}

	/// Device memory a provider must declare to be assigned the job, in MiB: the input and
	/// the output together, rounded up. A lower bound on what any executor holds at once, so
	/// a device declaring less is never given a job it would have to refuse.
	pub fn memory_mib_needed(&self) -> u32 {
		let bytes = self.input_len().saturating_add(self.output_len());
		u32::try_from(bytes.div_ceil(1 << 20)).unwrap_or(u32::MAX)
	}

	/// The contract's work units.
	pub fn work_units(&self) -> u64 {
		match self {
			KernelShape::MatmulI8(s) => {
				u64::from(s.m).saturating_mul(s.k.into()).saturating_mul(s.n.into())
			}
			KernelShape::MlpI8(s) => u64::from(s.batch).saturating_mul(s.weight_count()),
			KernelShape::MandelbrotQ12(s) => {
				cells(s.width, s.height).saturating_mul(s.max_iter.into())
			}
			KernelShape::Stencil2dI32(s) => cells(s.width, s.height).saturating_mul(s.steps.into()),
			KernelShape::SortU32(s) => u64::from(s.n).saturating_mul(ceil_log2(s.n.into()).max(1)),
			KernelShape::Sha256Batch(s) => {
				u64::from(s.count).saturating_mul(s.blocks_per_message())
			}
		}
	}
}

fn cells(width: u32, height: u32) -> u64 {
	u64::from(width).saturating_mul(height.into())
}

/// `ceil(log2(n))` for `n >= 1` by integer operations; 0 for `n <= 1`.
pub(crate) fn ceil_log2(n: u64) -> u64 {
	if n <= 1 {
		0
	} else {
		u64::from(u64::BITS - (n - 1).leading_zeros())
	}
}

impl Sha256Shape {
	/// SHA-256 compression blocks for one message: the message, the `0x80` byte and the
	/// 8-byte length, rounded up to 64-byte blocks. The cost model counts them, and the GPU
	/// kernel loops over them.
	pub fn blocks_per_message(&self) -> u64 {
		(u64::from(self.msg_len) + 8) / 64 + 1
	}
}

impl MatmulShape {
	fn input_len(&self) -> u64 {
		let a = u64::from(self.m).saturating_mul(self.k.into());
		let b = u64::from(self.k).saturating_mul(self.n.into());
		a.saturating_add(b)
	}
}

impl MlpShape {
	/// `L`, the number of layers.
	pub fn layers(&self) -> u32 {
		self.layers
	}

	/// `d0..=dL`.
	pub fn dims(&self) -> &[u32] {
		&self.dims[..=(self.layers as usize).min(MLP_MAX_LAYERS)]
	}

	/// `d0`, the width of each input sample.
	pub fn d_in(&self) -> u32 {
		self.dims[0]
	}

	/// `dL`, the width of each output sample.
	pub fn d_out(&self) -> u32 {
		*self.dims().last().unwrap_or(&0)
	}

	/// `sum_l d_l * d_(l-1)`: multiply-adds per sample.
	pub fn weight_count(&self) -> u64 {
		self.dims()
			.windows(2)
			.fold(0u64, |sum, w| sum.saturating_add(u64::from(w[0]).saturating_mul(w[1].into())))
	}

	/// Where layer `layer` (1-based, `1..=L`) sits in the input; `None` outside `1..=L`.
	pub fn layer(&self, layer: u32) -> Option<MlpLayerLayout> {
		if layer == 0 || layer > self.layers {
			return None;
		}
		let mut offset = 0u64;
		let mut found = None;
		for (l, w) in self.dims().windows(2).enumerate().take(layer as usize) {
			let (d_in, d_out) = (w[0], w[1]);
			let weights_offset = offset;
			let bias_offset =
				weights_offset.saturating_add(u64::from(d_in).saturating_mul(d_out.into()));
			let shift_offset = bias_offset.saturating_add(u64::from(d_out).saturating_mul(4));
			offset = shift_offset.saturating_add(4);
			if l + 1 == layer as usize {
				found =
					Some(MlpLayerLayout { d_in, d_out, weights_offset, bias_offset, shift_offset });
			}
		}
		found
	}

	/// Byte offset of `X`, the samples, after all layers.
	pub fn samples_offset(&self) -> u64 {
		self.layer(self.layers).map_or(0, |last| last.shift_offset.saturating_add(4))
	}

	fn input_len(&self) -> u64 {
		let samples = u64::from(self.batch).saturating_mul(self.d_in().into());
		self.samples_offset().saturating_add(samples)
	}
}
