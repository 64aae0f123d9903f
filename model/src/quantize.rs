//! Post-training quantization of a float MLP to the mlp-i8 contract, calibrated on samples.
//!
//! Every scale is a power of two, so that mlp-i8's `>> shift` is the rescaling between layers.
//! A layer's weights are `round(w · 2^e_w)`, with `e_w` the largest exponent that keeps them in
//! `i8`; a hidden layer's outputs are `round(a · 2^e_a)`, with `e_a` the largest that keeps the
//! largest activation seen in calibration within 127 (larger ones saturate, as the kernel
//! clamps). A layer's sums then carry the exponent `e_w + e_in`, so its biases are scaled by it
//! and its shift is `e_w + e_in - e_a`; each hidden bias also carries half of that shift's unit,
//! which turns the kernel's rounding down into rounding to nearest. A hidden layer whose
//! outputs would want a finer scale than its sums have keeps the sums' (shift 0). What no
//! scale can represent is a named error, never a silent clamp.

use crate::{
	format::{Layer, Model, ModelError},
	train::FloatMlp,
};

/// The exponents tried, both ways: beyond them an `f32` loses the rounding that matters.
const MAX_EXPONENT: i32 = 24;

/// Why a float MLP has no int8 form in the mlp-i8 contract.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantizeError {
	#[error("the input exponent {0} is outside -{MAX_EXPONENT}..={MAX_EXPONENT}")]
	InputExponent(i32),
	/// No power-of-two scale from `2^-24` to `2^24` keeps the largest weight (or activation)
	/// within 127, or it is not a number.
	#[error("layer {layer}'s largest {what} has no power-of-two scale that fits it in i8")]
	Scale { layer: u32, what: &'static str },
	#[error("layer {layer} needs a shift of {shift}: mlp-i8 takes 0 to 31")]
	Shift { layer: u32, shift: i32 },
	#[error("layer {layer}'s bias {index} does not fit an i32 at its scale")]
	Bias { layer: u32, index: usize },
	#[error("{0}")]
	Model(ModelError),
}

/// The largest `e` in `-24..=24` with `round(largest · 2^e) <= 127`, for a `largest` above
/// zero; `None` when there is none (or `largest` is not a number).
fn exponent_for(largest: f32) -> Option<i32> {
	(-MAX_EXPONENT..=MAX_EXPONENT).rev().find(|&e| libm::roundf(libm::ldexpf(largest, e)) <= 127.0)
}

/// `round(value · 2^exponent)`, or `None` outside `i32`.
fn scaled(value: f32, exponent: i32) -> Option<i32> {
	let rounded = libm::roundf(libm::ldexpf(value, exponent));
	// -2^31 and the largest f32 below 2^31 bound what `as` converts exactly (NaN fails both).
	(-2_147_483_648.0..=2_147_483_520.0).contains(&rounded).then_some(rounded as i32)
}

/// Quantizes `mlp`, whose integer inputs are its float inputs times `2^input_exponent`, with
/// each hidden layer's scale taken from its largest output over `calibration`.
pub fn quantize(
	mlp: &FloatMlp,
	input_exponent: i32,
	calibration: &[Vec<f32>],
) -> Result<Model, QuantizeError> {
	if input_exponent.abs() > MAX_EXPONENT {
		return Err(QuantizeError::InputExponent(input_exponent));
	}
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
		let number = l as u32 + 1;
		// `None` for all zeros, which any scale represents.
		let scale = |largest: f32, what| {
			if largest == 0.0 {
				return Ok(None);
			}
			exponent_for(largest).map(Some).ok_or(QuantizeError::Scale { layer: number, what })
		};
		let top =
			layer
				.weights
				.iter()
				.fold(0.0f32, |m, &w| if w.abs() > m || w.is_nan() { w.abs() } else { m });
		let e_w = scale(top, "weight")?.unwrap_or(0);
		let e_sum = e_w + e_in;
		let shift = if l < hidden {
			let e_out = scale(largest[l], "activation")?.unwrap_or(e_sum);
			let shift = (e_sum - e_out).max(0);
			if shift > 31 {
				return Err(QuantizeError::Shift { layer: number, shift });
			}
			e_in = e_sum - shift;
			shift as u32
		} else {
			0
		};
		let half = if l < hidden && shift > 0 { 1i32 << (shift - 1) } else { 0 };
		let weights = layer
			.weights
			.iter()
			// Within -127..=127 by the choice of `e_w`.
			.map(|&w| scaled(w, e_w).map_or(0, |q| q.clamp(-128, 127) as i8))
			.collect();
		let biases = layer
			.biases
			.iter()
			.enumerate()
			.map(|(index, &b)| {
				scaled(b, e_sum)
					.and_then(|q| q.checked_add(half))
					.ok_or(QuantizeError::Bias { layer: number, index })
			})
			.collect::<Result<Vec<_>, _>>()?;
		layers.push(Layer { weights, biases, shift });
		dims.push(layer.outputs as u32);
	}
	Model::from_layers(&dims, &layers).map_err(QuantizeError::Model)
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
		assert_eq!(exponent_for(f32::NAN), None);
		assert_eq!(exponent_for(1e10), None);
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
					biases: vec![0.1328125, -2.0],
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
		// The hidden unit's float outputs are 0.3828125 and 1.1328125: 24.5 and 72.5 at the
		// hidden scale 2^6 (the largest fits 127 there), rounded to 25 and 73 (the kernel's
		// shift alone would floor them to 24 and 72). The last layer's sums carry 2^(6 + 6):
		// 0.5 · 4096 + 64 · 25 and 0.5 · 4096 + 64 · 73.
		assert_eq!(logits, [3648, 6720]);
	}

	#[test]
	fn what_no_scale_represents_is_refused_by_name() {
		let layer = |weights: Vec<f32>, biases: Vec<f32>| FloatMlp {
			layers: vec![FloatLayer { inputs: 1, outputs: 1, weights, biases }],
		};
		let calibration = [vec![1.0]];
		assert_eq!(
			quantize(&layer(vec![1e12], vec![0.0]), 0, &calibration),
			Err(QuantizeError::Scale { layer: 1, what: "weight" })
		);
		assert_eq!(
			quantize(&layer(vec![f32::NAN], vec![0.0]), 0, &calibration),
			Err(QuantizeError::Scale { layer: 1, what: "weight" })
		);
		// A weight of 1 takes 2^6, an input exponent of 20 makes the sums 2^26: a bias of 64
		// is 2^32 there.
		assert_eq!(
			quantize(&layer(vec![1.0], vec![64.0]), 20, &calibration),
			Err(QuantizeError::Bias { layer: 1, index: 0 })
		);
		assert_eq!(
			quantize(&layer(vec![1.0], vec![0.0]), 25, &calibration),
			Err(QuantizeError::InputExponent(25))
		);
		// A hidden layer whose outputs are huge next to its sums' unit: inputs at 2^24 and a
		// weight at 2^6 make sums at 2^30, outputs up to 2^20 fit 127 at 2^-14: a shift of 44.
		let deep = FloatMlp {
			layers: vec![
				FloatLayer { inputs: 1, outputs: 1, weights: vec![1.0], biases: vec![0.0] },
				FloatLayer { inputs: 1, outputs: 1, weights: vec![1.0], biases: vec![0.0] },
			],
		};
		assert!(matches!(
			quantize(&deep, 24, &[vec![libm::ldexpf(1.0, 20)]]),
			Err(QuantizeError::Shift { layer: 1, shift: 44 })
		));
	}
}
