//! Types shared by the Concord runtime (no_std, compiled to WebAssembly), the provider worker
//! and the kernels crate, so that all of them agree on kernel ids, parameter bounds and prices.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod kernel;
