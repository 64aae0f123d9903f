//! Types shared by the Concord runtime (no_std, compiled to WebAssembly), the provider worker
//! and the kernels crate, so that all of them agree on kernel ids, parameter bounds, prices,
//! the market's rules (verdicts, random assignment) and how workloads split and aggregate.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod address;
pub mod kernel;
pub mod market;
pub mod workload;
