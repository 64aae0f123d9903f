//! The wgpu executor: adapter selection, a device with pipelines built once per kernel, buffers
//! reused across jobs, work split to fit the device's limits, and every wgpu error surfaced.

mod adapter;
mod buffers;
mod device;
mod executor;
mod grid;
mod kernels;
mod pack;
mod pipelines;
mod uniforms;

pub use adapter::{list_adapters, AdapterChoice, AdapterReport};
pub use executor::Executor;
pub use kernels::SplitPolicy;
