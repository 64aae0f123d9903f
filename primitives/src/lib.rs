//! Types shared by the Concord runtime (no_std, compiled to WebAssembly), the provider worker
//! and the kernels crate, so that all of them agree on kernel ids, parameter bounds, prices,
//! and the market's rules (verdicts, random assignment).
#![cfg_attr(not(feature = "std"), no_std)]

pub mod address;
pub mod kernel;
pub mod market;
