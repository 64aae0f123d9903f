//! The kernel identifier stored on chain and named on the command line.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::{fmt, str::FromStr};
use scale_info::TypeInfo;

/// Which kernel a job runs. The SCALE indices are part of the chain's wire format: never reorder,
/// only append.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Hash,
	Debug,
)]
pub enum KernelId {
	/// Quantized matrix multiply, `i8 x i8 -> i32`.
	#[codec(index = 0)]
	MatmulI8,
	/// Quantized multi-layer perceptron forward pass.
	#[codec(index = 1)]
	MlpI8,
	/// Fixed-point (Q12) Mandelbrot render.
	#[codec(index = 2)]
	MandelbrotQ12,
	/// Five-point heat diffusion on an `i32` grid.
	#[codec(index = 3)]
	Stencil2dI32,
	/// Ascending sort of `u32` values.
	#[codec(index = 4)]
	SortU32,
	/// SHA-256 of many equally long messages.
	#[codec(index = 5)]
	Sha256Batch,
}

impl KernelId {
	/// Every kernel, in SCALE index order.
	pub const ALL: [KernelId; 6] = [
		KernelId::MatmulI8,
		KernelId::MlpI8,
		KernelId::MandelbrotQ12,
		KernelId::Stencil2dI32,
		KernelId::SortU32,
		KernelId::Sha256Batch,
	];

	/// The kebab-case name used in KERNELS.md and on the command line.
	pub const fn name(self) -> &'static str {
		match self {
			KernelId::MatmulI8 => "matmul-i8",
			KernelId::MlpI8 => "mlp-i8",
			KernelId::MandelbrotQ12 => "mandelbrot-q12",
			KernelId::Stencil2dI32 => "stencil2d-i32",
			KernelId::SortU32 => "sort-u32",
			KernelId::Sha256Batch => "sha256-batch",
		}
	}

	/// The kernel with this exact kebab-case name.
	pub fn from_name(name: &str) -> Option<KernelId> {
		Self::ALL.into_iter().find(|kernel| kernel.name() == name)
	}
}

impl fmt::Display for KernelId {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.name())
	}
}

/// The error of parsing a kernel name that no kernel has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnknownKernel;

impl fmt::Display for UnknownKernel {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str("unknown kernel; known kernels are ")?;
		for (i, kernel) in KernelId::ALL.iter().enumerate() {
			if i > 0 {
				f.write_str(", ")?;
			}
			f.write_str(kernel.name())?;
		}
		Ok(())
	}
}

#[cfg(feature = "std")]
impl std::error::Error for UnknownKernel {}

impl FromStr for KernelId {
	type Err = UnknownKernel;

	fn from_str(s: &str) -> Result<Self, Self::Err> {
		Self::from_name(s).ok_or(UnknownKernel)
	}
}
