//! Weighted sampling without replacement, driven by a 32-byte random seed (on chain: BABE VRF
//! output), integer only, so every node and every client computes the same choice.
//!
//! Draw `i` takes `r = u128(blake2_256(seed ++ i as u32 LE)[..16]) mod W`, with `W` the total
//! weight still in the pool, and picks the first candidate whose running weight exceeds `r`;
//! that candidate leaves the pool. A candidate's chance in each draw is its weight over `W`
//! (up to a bias below `W / 2^128`, negligible for any real total).

extern crate alloc;
use alloc::vec::Vec;

/// Why a sample could not be drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SamplingError {
	/// Fewer candidates have a positive weight than the `k` asked for.
	NotEnoughCandidates { wanted: u32, available: u32 },
	/// The weights add up to more than `u128::MAX`.
	WeightOverflow,
}

/// Picks `k` distinct indices into `weights`, each draw in proportion to the weights of the
/// candidates not yet picked. Candidates of weight zero are never picked. The indices are in
/// the order drawn: the first `k` of [`weighted_order`]. Runs in `O(k * n)`: callers bound
/// both.
pub fn sample_weighted(
	weights: &[u128],
	k: u32,
	seed: &[u8; 32],
) -> Result<Vec<u32>, SamplingError> {
	let available = weights.iter().filter(|weight| **weight > 0).count() as u32;
	if available < k {
		return Err(SamplingError::NotEnoughCandidates { wanted: k, available });
	}
	let picked: Vec<u32> = weighted_order(weights, seed)?.take(k as usize).collect();
	// Unreachable (the order holds every positive weight), but never hand back fewer than `k`.
	if picked.len() < k as usize {
		return Err(SamplingError::NotEnoughCandidates { wanted: k, available });
	}
	Ok(picked)
}

/// Every candidate of positive weight, in the order successive draws take them: draw `i`
/// picks among those not yet taken in proportion to their weights. A sample of `k` is the
/// first `k`, so a caller that must pass over a pick (one that can no longer take the job)
/// takes the next one of the same order, and passing over picks never reorders the rest.
/// Each step costs `O(n)`.
pub fn weighted_order<'a>(
	weights: &'a [u128],
	seed: &'a [u8; 32],
) -> Result<WeightedOrder<'a>, SamplingError> {
	let remaining = weights
		.iter()
		.try_fold(0u128, |total, weight| total.checked_add(*weight))
		.ok_or(SamplingError::WeightOverflow)?;
	Ok(WeightedOrder {
		weights,
		seed,
		taken: alloc::vec![false; weights.len()],
		remaining,
		draw: 0,
	})
}

/// The iterator of [`weighted_order`].
pub struct WeightedOrder<'a> {
	weights: &'a [u128],
	seed: &'a [u8; 32],
	taken: Vec<bool>,
	/// The weight of the candidates not yet taken.
	remaining: u128,
	draw: u32,
}

impl Iterator for WeightedOrder<'_> {
	type Item = u32;

	fn next(&mut self) -> Option<u32> {
		let mut target = draw_value(self.seed, self.draw).checked_rem(self.remaining)?;
		let taken = &self.taken;
		let index = self
			.weights
			.iter()
			.enumerate()
			.filter(|(i, weight)| !taken[*i] && **weight > 0)
			.find(|(_, weight)| {
				if target < **weight {
					true
				} else {
					target = target.saturating_sub(**weight);
					false
				}
			})
			// The target always falls inside the weight not yet taken, so one is found.
			.map(|(i, _)| i)?;
		self.taken[index] = true;
		self.remaining = self.remaining.saturating_sub(self.weights[index]);
		self.draw = self.draw.saturating_add(1);
		Some(index as u32)
	}
}

/// The random value of draw `draw`: the first 16 bytes of `blake2_256(seed ++ draw)`.
fn draw_value(seed: &[u8; 32], draw: u32) -> u128 {
	let mut preimage = [0u8; 36];
	preimage[..32].copy_from_slice(seed);
	preimage[32..].copy_from_slice(&draw.to_le_bytes());
	let hash = sp_crypto_hashing::blake2_256(&preimage);
	let mut low = [0u8; 16];
	low.copy_from_slice(&hash[..16]);
	u128::from_le_bytes(low)
}
