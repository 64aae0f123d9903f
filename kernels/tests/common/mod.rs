//! Shared test harness: one executor for the whole test binary, and a GPU-vs-CPU comparison
//! that names the seed to reproduce any failure.

#![allow(dead_code)]

use concord_kernels::{cpu, random, result_hash, AdapterChoice, Executor, KernelError, KernelId};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The executor on the adapter `WGPU_BACKEND` / `CONCORD_ADAPTER` select. With no adapter the
/// tests fail, unless `CONCORD_ALLOW_NO_GPU=1`, when they return `None` and skip.
pub fn executor() -> Option<MutexGuard<'static, Executor>> {
	static EXECUTOR: OnceLock<Option<Mutex<Executor>>> = OnceLock::new();
	let executor = EXECUTOR.get_or_init(|| match Executor::new(AdapterChoice::from_env()) {
		Ok(executor) => {
			eprintln!("GPU tests run on {}", executor.adapter());
			Some(Mutex::new(executor))
		}
		Err(KernelError::NoAdapter)
			if std::env::var("CONCORD_ALLOW_NO_GPU").as_deref() == Ok("1") =>
		{
			eprintln!("no GPU adapter; skipping GPU tests because CONCORD_ALLOW_NO_GPU=1");
			None
		}
		Err(e) => {
			panic!("{e}\n(set CONCORD_ALLOW_NO_GPU=1 to skip GPU tests on a machine without one)")
		}
	});
	executor.as_ref().map(|m| m.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// Base seed: `CONCORD_TEST_SEED` if set, else a fixed value so CI is reproducible.
pub fn base_seed() -> u64 {
	std::env::var("CONCORD_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0xC0C0_2D00)
}

/// Runs the job on the GPU and the CPU and asserts identical bytes.
pub fn assert_gpu_matches_cpu(gpu: &mut Executor, kernel: KernelId, params: &[u32], seed: u64) {
	let shape = concord_kernels::validate_job(kernel, params, &[])
		.or_else(|_| {
			concord_primitives::kernel::validate_params(kernel, params).map_err(KernelError::from)
		})
		.unwrap_or_else(|e| panic!("test generated invalid params {params:?}: {e}"));
	let input = random::input(&shape, seed);
	assert_same(gpu, kernel, params, &input, &format!("seed {seed:#x}"));
}

/// Asserts GPU and CPU give the same bytes for this exact input.
pub fn assert_same(gpu: &mut Executor, kernel: KernelId, params: &[u32], input: &[u8], what: &str) {
	let expected = cpu::run(kernel, params, input)
		.unwrap_or_else(|e| panic!("{kernel} {params:?} ({what}): CPU refused: {e}"));
	let got = gpu
		.run(kernel, params, input)
		.unwrap_or_else(|e| panic!("{kernel} {params:?} ({what}): GPU failed: {e}"));
	if got != expected {
		let first = got.iter().zip(&expected).position(|(a, b)| a != b);
		panic!(
			"{kernel} {params:?} ({what}): GPU output differs from the CPU reference \
			 (lengths {} vs {}, first differing byte {first:?}); rerun with CONCORD_TEST_SEED",
			got.len(),
			expected.len(),
		);
	}
	assert_eq!(result_hash(&got), result_hash(&expected));
}
