//! Concord's deterministic compute kernels.
//!
//! Each kernel of KERNELS.md has a WGSL implementation run by [`Executor`] on any wgpu adapter,
//! and a plain Rust reference in [`cpu`]. Both validate the job with `concord-primitives` before
//! doing any work, and both produce the same bytes, so providers on different hardware agree on
//! [`result_hash`].

pub mod cpu;
mod error;
mod gpu;
mod hash;
mod job;
pub mod random;
pub mod shaders;
pub mod workload;

pub use concord_primitives::kernel::{KernelId, KernelShape};
pub use error::KernelError;
pub use gpu::{list_adapters, AdapterChoice, AdapterReport, Executor, SplitPolicy};
pub use hash::result_hash;
pub use job::validate_job;
