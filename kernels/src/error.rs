//! Everything that can stop a job, each with what to do about it.

use concord_primitives::kernel::{InputError, KernelId, ParamsError};

/// Why a kernel did not produce an output.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
	/// The params break the kernel's contract; the job is invalid.
	#[error("invalid params: {0}")]
	Params(ParamsError),
	/// The input does not fit the params; the job is invalid.
	#[error("invalid input: {0}")]
	Input(InputError),
	/// No wgpu adapter at all on the enabled backends.
	#[error("no GPU adapter found (install mesa-vulkan-drivers for a software Vulkan device)")]
	NoAdapter,
	/// Adapters exist, but none matches the requested name.
	#[error("no GPU adapter name contains {wanted:?} (CONCORD_ADAPTER); available: {available}")]
	NoMatchingAdapter { wanted: String, available: String },
	/// `WGPU_BACKEND` names no backend this build has.
	#[error("unknown backend {0:?} in WGPU_BACKEND; use vulkan, metal or dx12")]
	UnknownBackend(String),
	/// The adapter refused to open a device.
	#[error("could not open a device on {adapter}: {message}")]
	RequestDevice { adapter: String, message: String },
	/// The job is valid but one of its buffers is larger than this device can bind.
	#[error(
		"{kernel} needs a {what} of {needed} bytes, over this device's limit of {limit} bytes; \
		 run it on a device with larger buffer limits or on the CPU reference"
	)]
	ExceedsDeviceLimits { kernel: KernelId, what: &'static str, needed: u64, limit: u64 },
	/// The job is valid but larger than this machine can address.
	#[error("{kernel} job of {bytes} bytes does not fit in this machine's address space")]
	ExceedsHostMemory { kernel: KernelId, bytes: u64 },
	/// wgpu reported an error (validation, out of memory, device lost, failed readback). The
	/// output is discarded rather than returned half-computed.
	#[error("GPU error while running {kernel}: {message}")]
	Gpu { kernel: KernelId, message: String },
	/// A shader failed to compile or its pipeline failed to build.
	#[error("could not build the {kernel} pipeline: {message}")]
	Pipeline { kernel: KernelId, message: String },
}

// Not `#[from]`: that would also make the contract's error the source, and an error chain
// printed whole (`{:#}`, as the CLI and the logs print them) would say it twice.
impl From<ParamsError> for KernelError {
	fn from(error: ParamsError) -> Self {
		KernelError::Params(error)
	}
}

impl From<InputError> for KernelError {
	fn from(error: InputError) -> Self {
		KernelError::Input(error)
	}
}
