//! Deterministic pseudo-random inputs of the right shape, for tests, benchmarks and demos.
//!
//! SplitMix64 is tiny, seedable and identical everywhere, so `(kernel, params, seed)` always
//! names the same input bytes.

use concord_primitives::kernel::{KernelShape, MlpShape};

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
	pub fn new(seed: u64) -> Self {
		SplitMix64(seed)
	}

	pub fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}

	pub fn next_u32(&mut self) -> u32 {
		(self.next_u64() >> 32) as u32
	}

	/// Uniform in `lo..=hi` (slightly biased for huge ranges, which tests do not mind).
	pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
		let span = u64::from(hi.saturating_sub(lo)) + 1;
		lo + (self.next_u64() % span) as u32
	}

	pub fn fill(&mut self, bytes: &mut [u8]) {
		for chunk in bytes.chunks_mut(8) {
			let word = self.next_u64().to_le_bytes();
			chunk.copy_from_slice(&word[..chunk.len()]);
		}
	}
}

/// A random valid input for `shape`. For mlp-i8, shifts are chosen so that activations neither
/// all saturate nor all vanish, which keeps the output interesting.
pub fn input(shape: &KernelShape, seed: u64) -> Vec<u8> {
	let mut rng = SplitMix64::new(seed);
	let len = usize::try_from(shape.input_len()).unwrap_or(usize::MAX);
	let mut bytes = vec![0u8; len];
	rng.fill(&mut bytes);
	if let KernelShape::MlpI8(mlp) = shape {
		set_mlp_scales(mlp, &mut bytes, &mut rng);
	}
	bytes
}

fn set_mlp_scales(mlp: &MlpShape, bytes: &mut [u8], rng: &mut SplitMix64) {
	for layer in 1..=mlp.layers() {
		let Some(l) = mlp.layer(layer) else { continue };
		// A sum of d_in products of size ~2^13 grows like sqrt(d_in) * 2^13; aim it at 0..127.
		let shift = (7 + (32 - l.d_in.leading_zeros()) / 2).min(31);
		let (bias, at) = (l.bias_offset as usize, l.shift_offset as usize);
		for unit in 0..l.d_out as usize {
			let b = (rng.next_u32() as i32) >> 18;
			bytes[bias + 4 * unit..bias + 4 * unit + 4].copy_from_slice(&b.to_le_bytes());
		}
		bytes[at..at + 4].copy_from_slice(&shift.to_le_bytes());
	}
}
