//! Reading a classifier's answers out of an mlp-i8 output.

use crate::train::argmax;

/// The `i32` logits of an mlp-i8 output, in order.
pub fn logits(output: &[u8]) -> Vec<i32> {
	output
		.chunks_exact(4)
		.map(|word| i32::from_le_bytes([word[0], word[1], word[2], word[3]]))
		.collect()
}

/// Each sample's class: the index of its largest logit (the lowest on a tie), from an output
/// of `classes` logits per sample.
pub fn predictions(output: &[u8], classes: u32) -> Vec<u32> {
	logits(output).chunks_exact(classes.max(1) as usize).map(|l| argmax(l) as u32).collect()
}

/// How many predictions equal their labels.
pub fn correct(predictions: &[u32], labels: &[u8]) -> usize {
	predictions.iter().zip(labels).filter(|(p, l)| **p == u32::from(**l)).count()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn each_sample_is_its_largest_logit() {
		let output: Vec<u8> = [3i32, -1, 9, 9, 0, i32::MIN, -5, -4, -6]
			.iter()
			.flat_map(|l| l.to_le_bytes())
			.collect();
		assert_eq!(predictions(&output, 3), [2, 0, 1]);
		assert_eq!(correct(&[2, 0, 1], &[2, 1, 1]), 2);
	}
}
