//! The GPU kernels produce the CPU references' bytes exactly: many random jobs per kernel
//! (seeded; the seed is printed on failure), edge sizes, and split jobs.

mod common;

use common::{assert_gpu_matches_cpu, assert_same, base_seed, executor};
use concord_kernels::{random::SplitMix64, KernelId, SplitPolicy};

/// Random cases per kernel; CONCORD_TEST_CASES raises it for a longer soak.
fn cases() -> u64 {
	std::env::var("CONCORD_TEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(32)
}

/// Runs `cases()` random jobs of `kernel`, params drawn by `params` from a per-case RNG.
fn random_jobs(kernel: KernelId, salt: u64, params: impl Fn(&mut SplitMix64) -> Vec<u32>) {
	let Some(mut gpu) = executor() else { return };
	for case in 0..cases() {
		let seed = base_seed() ^ (salt << 32) ^ case;
		let mut rng = SplitMix64::new(seed);
		let params = params(&mut rng);
		assert_gpu_matches_cpu(&mut gpu, kernel, &params, seed);
	}
}

/// Mostly small values, sometimes just around a multiple of the 16- or 64-wide workgroups.
fn dim(rng: &mut SplitMix64, max: u32) -> u32 {
	match rng.range(0, 3) {
		0 => rng.range(1, 8),
		1 => (rng.range(1, 4) * 16 + rng.range(0, 2)).saturating_sub(1).clamp(1, max),
		_ => rng.range(1, max),
	}
}

fn with_policy<T>(
	gpu: &mut concord_kernels::Executor,
	split: SplitPolicy,
	f: impl FnOnce(&mut concord_kernels::Executor) -> T,
) -> T {
	gpu.set_split_policy(split);
	let result = f(gpu);
	gpu.set_split_policy(SplitPolicy::default());
	result
}

#[test]
fn matmul_random() {
	random_jobs(KernelId::MatmulI8, 1, |rng| vec![dim(rng, 90), dim(rng, 90), dim(rng, 90)]);
}

#[test]
fn matmul_edges() {
	let Some(mut gpu) = executor() else { return };
	for params in [
		[1, 1, 1],
		[1, 4096, 1],
		[4096, 1, 1],
		[1, 1, 4096],
		[17, 33, 15],
		[200, 300, 100],
		[256, 512, 300],
	] {
		assert_gpu_matches_cpu(&mut gpu, KernelId::MatmulI8, &params, base_seed());
	}
	// Extreme values: every product is -128 * -128 or -128 * 127.
	let (m, k, n) = (5, 4096, 3);
	let mut input = vec![0x80u8; m * k];
	input.extend((0..k * n).map(|i| if i % 3 == 0 { 0x7f } else { 0x80 }));
	assert_same(&mut gpu, KernelId::MatmulI8, &[m as u32, k as u32, n as u32], &input, "extremes");
}

fn mlp_params(rng: &mut SplitMix64) -> Vec<u32> {
	let layers = rng.range(1, 7);
	let mut params = vec![dim(rng, 70), layers];
	params.extend((0..=layers).map(|_| dim(rng, 70)));
	params
}

#[test]
fn mlp_random() {
	random_jobs(KernelId::MlpI8, 2, mlp_params);
}

#[test]
fn mlp_random_shifts_cover_0_to_31() {
	let Some(mut gpu) = executor() else { return };
	for case in 0..cases() {
		let seed = base_seed() ^ (12 << 32) ^ case;
		let mut rng = SplitMix64::new(seed);
		let params = mlp_params(&mut rng);
		let shape = concord_primitives::kernel::validate_params(KernelId::MlpI8, &params).unwrap();
		let concord_kernels::KernelShape::MlpI8(mlp) = shape else { unreachable!() };
		let mut input = concord_kernels::random::input(&shape, seed);
		for l in 1..=mlp.layers() {
			let at = mlp.layer(l).unwrap().shift_offset as usize;
			input[at..at + 4].copy_from_slice(&rng.range(0, 31).to_le_bytes());
		}
		assert_same(&mut gpu, KernelId::MlpI8, &params, &input, &format!("seed {seed:#x}"));
	}
}

#[test]
fn mlp_edges_and_chunked_batches() {
	let Some(mut gpu) = executor() else { return };
	let seed = base_seed();
	for params in [
		vec![1, 1, 1, 1],
		vec![1, 7, 1, 2, 3, 4, 5, 6, 7, 8],
		vec![3, 1, 4096, 5],
		vec![700, 3, 64, 48, 17, 10],
		vec![512, 2, 256, 128, 10],
	] {
		assert_gpu_matches_cpu(&mut gpu, KernelId::MlpI8, &params, seed);
	}
	// Chunks of a few rows, the last one shorter: same bytes as one chunk.
	let split = SplitPolicy { chunk_bytes: 5 * 64, ..SplitPolicy::default() };
	with_policy(&mut gpu, split, |gpu| {
		assert_gpu_matches_cpu(gpu, KernelId::MlpI8, &[103, 2, 30, 61, 9], seed);
	});
}

fn q12(value: f64) -> u32 {
	((value * 4096.0) as i32) as u32
}

#[test]
fn mandelbrot_random() {
	random_jobs(KernelId::MandelbrotQ12, 3, |rng| {
		let (w, h) = (dim(rng, 90), dim(rng, 90));
		let step = rng.range(1, 3 * 4096 / w.max(h));
		vec![
			w,
			h,
			rng.range(1, 400),
			q12(-2.5) + rng.range(0, 4096),
			q12(-1.5) + rng.range(0, 4096),
			step,
		]
	});
}

#[test]
fn mandelbrot_wrapping_far_outside_the_set() {
	// Coordinates far beyond 2.0 overflow i32 in x * x: the contract wraps, and so must we.
	random_jobs(KernelId::MandelbrotQ12, 4, |rng| {
		vec![
			dim(rng, 40),
			dim(rng, 40),
			rng.range(1, 60),
			rng.next_u32(),
			rng.next_u32(),
			rng.range(1, u32::MAX >> 1),
		]
	});
}

#[test]
fn mandelbrot_edges_and_bands() {
	let Some(mut gpu) = executor() else { return };
	let seed = base_seed();
	// c = 0 runs all 65535 iterations.
	assert_gpu_matches_cpu(&mut gpu, KernelId::MandelbrotQ12, &[1, 1, 65535, 0, 0, 1], seed);
	assert_gpu_matches_cpu(&mut gpu, KernelId::MandelbrotQ12, &[4096, 2, 3, q12(-2.0), 0, 1], seed);
	assert_gpu_matches_cpu(
		&mut gpu,
		KernelId::MandelbrotQ12,
		&[3, 700, 20, q12(-0.7), q12(-1.2), 14],
		seed,
	);
	// Bands of a few rows, each its own submit.
	let split = SplitPolicy { submit_work: 3 * 65 * 50, ..SplitPolicy::default() };
	with_policy(&mut gpu, split, |gpu| {
		assert_gpu_matches_cpu(
			gpu,
			KernelId::MandelbrotQ12,
			&[65, 31, 50, q12(-2.0), q12(-1.0), 180],
			seed,
		);
	});
}

#[test]
fn stencil_random() {
	random_jobs(KernelId::Stencil2dI32, 5, |rng| {
		vec![dim(rng, 70).max(3), dim(rng, 70).max(3), rng.range(1, 25)]
	});
}

#[test]
fn stencil_edges_and_submit_chunks() {
	let Some(mut gpu) = executor() else { return };
	let seed = base_seed();
	for params in [[3, 3, 1], [3, 3, 2], [4096, 3, 3], [3, 4096, 2], [130, 67, 40], [300, 200, 100]]
	{
		assert_gpu_matches_cpu(&mut gpu, KernelId::Stencil2dI32, &params, seed);
	}
	// A few steps per submit, odd and even totals.
	let split = SplitPolicy { submit_work: 3 * 20 * 20, ..SplitPolicy::default() };
	with_policy(&mut gpu, split, |gpu| {
		assert_gpu_matches_cpu(gpu, KernelId::Stencil2dI32, &[20, 20, 17], seed);
		assert_gpu_matches_cpu(gpu, KernelId::Stencil2dI32, &[20, 20, 18], seed);
	});
}

/// `n` values from `values`, as sort-u32 input bytes.
fn sort_input(n: u32, mut values: impl FnMut() -> u32) -> Vec<u8> {
	(0..n).flat_map(|_| values().to_le_bytes()).collect()
}

#[test]
fn sort_random() {
	let Some(mut gpu) = executor() else { return };
	for case in 0..cases() {
		let seed = base_seed() ^ (6 << 32) ^ case;
		let mut rng = SplitMix64::new(seed);
		let n = match case % 3 {
			0 => rng.range(1, 600),
			1 => rng.range(1, 5000),
			_ => rng.range(5000, 70_000),
		};
		// Full-range values, heavy duplicates, or many u32::MAX (equal to the padding).
		let kind = rng.range(0, 2);
		let mut values = SplitMix64::new(seed + 1);
		let input = sort_input(n, || match kind {
			0 => values.next_u32(),
			1 => values.range(0, 7),
			_ => {
				if values.range(0, 1) == 0 {
					u32::MAX
				} else {
					values.next_u32()
				}
			}
		});
		assert_same(&mut gpu, KernelId::SortU32, &[n], &input, &format!("seed {seed:#x}"));
	}
}

#[test]
fn sort_edges() {
	let Some(mut gpu) = executor() else { return };
	let seed = base_seed();
	for n in [1, 2, 3, 511, 512, 513, 1024, (1 << 16) + 3, 1 << 20] {
		assert_gpu_matches_cpu(&mut gpu, KernelId::SortU32, &[n], seed);
	}
	let descending = sort_input(3000, {
		let mut v = 3000;
		move || {
			v -= 1;
			v
		}
	});
	assert_same(&mut gpu, KernelId::SortU32, &[3000], &descending, "descending");
}

#[test]
fn sha256_random() {
	random_jobs(KernelId::Sha256Batch, 7, |rng| vec![rng.range(0, 300), dim(rng, 300)]);
}

#[test]
fn sha256_edges_vectors_and_chunks() {
	let Some(mut gpu) = executor() else { return };
	let seed = base_seed();
	for msg_len in [0, 1, 3, 55, 56, 63, 64, 119, 120, 4095, 4096] {
		assert_gpu_matches_cpu(&mut gpu, KernelId::Sha256Batch, &[msg_len, 5], seed);
	}
	assert_gpu_matches_cpu(&mut gpu, KernelId::Sha256Batch, &[0, 1 << 20], seed);
	let abc = gpu.run(KernelId::Sha256Batch, &[3, 1], b"abc").unwrap();
	let hex: String = abc.iter().map(|b| format!("{b:02x}")).collect();
	assert_eq!(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	// Chunks of whole messages at unaligned offsets, the last chunk shorter.
	let split = SplitPolicy { chunk_bytes: 13 * 7, ..SplitPolicy::default() };
	with_policy(&mut gpu, split, |gpu| {
		assert_gpu_matches_cpu(gpu, KernelId::Sha256Batch, &[13, 100], seed);
		assert_gpu_matches_cpu(gpu, KernelId::Sha256Batch, &[0, 50], seed);
	});
}
