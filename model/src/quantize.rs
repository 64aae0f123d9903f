//! Post-training quantization of a float MLP to the mlp-i8 contract, calibrated on samples.
//!
//! Every scale is a power of two, so that mlp-i8's `>> shift` is the rescaling between layers.
//! A layer's weights are `round(w · 2^e_w)`, with `e_w` the largest exponent that keeps them in
//! `i8`; a hidden layer's outputs are `round(a · 2^e_a)`, with `e_a` the largest that keeps the
//! largest activation seen in calibration within 127 (larger ones saturate, as the kernel
//! clamps). A layer's sums then carry the exponent `e_w + e_in`, so its biases are scaled by it
//! and its shift is `e_w + e_in - e_a`; each hidden bias also carries half of that shift's unit,
//! which turns the kernel's rounding down into rounding to nearest.

use crate::{
	format::{Layer, Model, ModelError},
	train::FloatMlp,
};

/// The most an exponent can be: beyond it an `f32` loses the rounding that matters.
const MAX_EXPONENT: i32 = 24;

/// The largest `e` with `round(largest · 2^e) <= 127`; `None` when `largest` is zero.
fn exponent_for(largest: f32) -> Option<i32> {
	if largest <= 0.0 {
		return None;
	}
	(-MAX_EXPONENT..=MAX_EXPONENT).rev().find(|&e| libm::roundf(libm::ldexpf(largest, e)) <= 127.0)
}

/// `round(value · 2^exponent)`, saturated to `i32`.
fn scaled(value: f32, exponent: i32) -> i32 {
	// `as` saturates, and maps NaN to 0.
	libm::roundf(libm::ldexpf(value, exponent)) as i32
}

/// Quantizes `mlp`, whose integer inputs are its float inputs times `2^input_exponent`, with
/// each hidden layer's scale taken from its largest output over `calibration`.
pub fn quantize(
	mlp: &FloatMlp,
	input_exponent: i32,
	calibration: &[Vec<f32>],
) -> Result<Model, ModelError> {
	let hidden = mlp.layers.len().saturating_sub(1);
	let mut largest = vec![0.0f32; hidden];
	for x in calibration {
		for (l, activation) in mlp.activations(x).iter().skip(1).take(hidden).enumerate() {
			largest[l] = activation.iter().fold(largest[l], |m, &a| m.max(a));
		}
	}
	let mut dims = vec![mlp.layers.first().map_or(0, |l| l.inputs) as u32];
	let mut layers = Vec::with_capacity(mlp.layers.len());
	let mut e_in = input_exponent;
	for (l, layer) in mlp.layers.iter().enumerate() {
		let top = layer.weights.iter().fold(0.0f32, |m, &w| m.max(w.abs()));
		let e_w = exponent_for(top).unwrap_or(0);
		let e_sum = e_w + e_in;
		let shift = if l < hidden {
			let e_out = exponent_for(largest[l]).unwrap_or(e_sum);
			let shift = (e_sum - e_out).clamp(0, 31);
			e_in = e_sum - shift;
			shift as u32
		} else {
			0
		};
		let half = if shift > 0 { 1i32 << (shift - 1) } else { 0 };
		layers.push(Layer {
			weights: layer.weights.iter().map(|&w| scaled(w, e_w).clamp(-128, 127) as i8).collect(),
			biases: layer
				.biases
				.iter()
				.map(|&b| scaled(b, e_sum).saturating_add(if l < hidden { half } else { 0 }))
				.collect(),
			shift,
		});
		dims.push(layer.outputs as u32);
	}
	Model::from_layers(&dims, &layers)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::train::FloatLayer;

	#[test]
	fn exponents_keep_the_largest_value_within_127() {
		assert_eq!(exponent_for(1.0), Some(6)); // 64 fits, 128 does not
		assert_eq!(exponent_for(127.0), Some(0));
		assert_eq!(exponent_for(127.6), Some(-1)); // rounds to 128 unscaled
		assert_eq!(exponent_for(0.0), None);
		for e in [-3, 0, 5, 15] {
			let largest = libm::ldexpf(1.7, -e);
			let found = exponent_for(largest).unwrap();
			assert!(libm::roundf(libm::ldexpf(largest, found)) <= 127.0);
			assert!(libm::roundf(libm::ldexpf(largest, found + 1)) > 127.0);
		}
	}

	/// A layer whose float outputs are exact in the integer scales gives exactly those.
	#[test]
	fn quantized_layers_compute_the_float_layers_in_integers() {
		let mlp = FloatMlp {
			layers: vec![
				FloatLayer {
					inputs: 2,
					outputs: 2,
					weights: vec![0.5, -0.25, 1.0, 0.75],
					biases: vec![0.125, -2.0],
				},
				FloatLayer { inputs: 2, outputs: 1, weights: vec![1.0, -0.5], biases: vec![0.5] },
			],
		};
		// Integer inputs are the float ones times 2^4.
		let calibration = vec![vec![1.0, 1.0], vec![2.0, 0.0]];
		let model = quantize(&mlp, 4, &calibration).unwrap();
		assert_eq!(model.dims(), [2, 2, 1]);
		let (params, input) = model.job(&[16, 16, 32, 0]).unwrap();
		let logits =
			concord_kernels::cpu::run(concord_kernels::KernelId::MlpI8, &params, &input).unwrap();
		let logits: Vec<i32> =
			logits.chunks_exact(4).map(|b| i32::from_le_bytes(b.try_into().unwrap())).collect();
		// The float logits are 0.875 and 1.625; the last layer's sums carry 2^(6 + 6): its
		// weights' exponent and the hidden layer's (whose largest output, 1.125, fits 2^6).
		assert_eq!(logits, [3584, 6656]);
	}
}
