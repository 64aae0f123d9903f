//! A float multi-layer perceptron trained by minibatch SGD with momentum, bit for bit the same
//! on every machine: one thread, a seeded generator, a fixed order of every sum, and the
//! `libm` crate's software `exp` and `sqrt` instead of the platform's math library. IEEE 754
//! makes `+ - * /` on `f32` exact to the bit, and Rust never fuses them into FMAs unasked.

/// What a training run is: the widths and the optimizer's settings.
#[derive(Clone, Debug)]
pub struct Recipe {
	/// `d0..=dL`.
	pub dims: Vec<usize>,
	pub epochs: u32,
	pub batch: usize,
	/// The learning rate of the first epoch; it falls linearly, by nine tenths of itself over
	/// the epochs (to 0.109 of itself in the last of 100).
	pub learning_rate: f32,
	pub momentum: f32,
	/// L2 penalty on the weights: small weights quantize with less loss.
	pub weight_decay: f32,
	pub seed: u64,
}

/// One fully connected layer.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatLayer {
	pub inputs: usize,
	pub outputs: usize,
	/// `outputs × inputs`, row-major (a row per output unit), as mlp-i8 lays them out.
	pub weights: Vec<f32>,
	pub biases: Vec<f32>,
}

/// A float MLP: ReLU after every layer but the last, whose outputs are the logits.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatMlp {
	pub layers: Vec<FloatLayer>,
}

impl FloatLayer {
	fn forward(&self, x: &[f32], relu: bool) -> Vec<f32> {
		self.weights
			.chunks_exact(self.inputs)
			.zip(&self.biases)
			.map(|(row, &b)| {
				let sum = row.iter().zip(x).fold(b, |acc, (&w, &xi)| acc + w * xi);
				if relu {
					sum.max(0.0)
				} else {
					sum
				}
			})
			.collect()
	}
}

impl FloatMlp {
	/// Every layer's output for `x`, the input first: what training and calibration read.
	pub fn activations(&self, x: &[f32]) -> Vec<Vec<f32>> {
		let mut out = vec![x.to_vec()];
		for (l, layer) in self.layers.iter().enumerate() {
			let next = layer.forward(&out[l], l + 1 < self.layers.len());
			out.push(next);
		}
		out
	}

	/// The class with the largest logit (the lowest on a tie).
	pub fn predict(&self, x: &[f32]) -> usize {
		let activations = self.activations(x);
		argmax(activations.last().map_or(&[][..], |l| l.as_slice()))
	}
}

/// The index of the largest value, the lowest on a tie.
pub fn argmax<T: PartialOrd + Copy>(values: &[T]) -> usize {
	let mut best = 0;
	for (i, v) in values.iter().enumerate() {
		if *v > values[best] {
			best = i;
		}
	}
	best
}

/// SplitMix64: a seeded generator that is the same everywhere.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}

	/// Uniform in `[-1, 1)`, from the top 24 bits (exact in an `f32`).
	fn symmetric(&mut self) -> f32 {
		((self.next() >> 40) as f32) / (1u32 << 23) as f32 - 1.0
	}

	/// Uniform in `0..n`.
	fn below(&mut self, n: usize) -> usize {
		(self.next() % n as u64) as usize
	}
}

/// Why a recipe cannot be trained on the samples given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
	#[error("a network needs at least two widths, none of them zero")]
	Widths,
	#[error("sample {index} has {got} values, the network takes {expected}")]
	Width { index: usize, got: usize, expected: usize },
	#[error("sample {index}'s label is {label}, the network has {classes} classes")]
	Label { index: usize, label: usize, classes: usize },
}

/// Trains an MLP of `recipe.dims` on `samples` (inputs of `d0` values, labels below `dL`).
pub fn train(recipe: &Recipe, samples: &[(Vec<f32>, usize)]) -> Result<FloatMlp, SampleError> {
	let (Some(&expected), Some(&classes)) = (recipe.dims.first(), recipe.dims.last()) else {
		return Err(SampleError::Widths);
	};
	if recipe.dims.len() < 2 || recipe.dims.contains(&0) {
		return Err(SampleError::Widths);
	}
	for (index, (x, label)) in samples.iter().enumerate() {
		if x.len() != expected {
			return Err(SampleError::Width { index, got: x.len(), expected });
		}
		if *label >= classes {
			return Err(SampleError::Label { index, label: *label, classes });
		}
	}
	let mut rng = Rng(recipe.seed);
	// He-uniform initialization: the weights of a ReLU layer in ±sqrt(6 / fan-in).
	let layers = recipe
		.dims
		.windows(2)
		.map(|w| {
			let (inputs, outputs) = (w[0], w[1]);
			let limit = libm::sqrtf(6.0 / inputs as f32);
			FloatLayer {
				inputs,
				outputs,
				weights: (0..inputs * outputs).map(|_| rng.symmetric() * limit).collect(),
				biases: vec![0.0; outputs],
			}
		})
		.collect();
	let mut mlp = FloatMlp { layers };
	let mut velocity: Vec<(Vec<f32>, Vec<f32>)> = mlp
		.layers
		.iter()
		.map(|l| (vec![0.0; l.weights.len()], vec![0.0; l.biases.len()]))
		.collect();
	let mut order: Vec<usize> = (0..samples.len()).collect();
	for epoch in 0..recipe.epochs {
		// Fisher-Yates, from the seeded generator.
		for i in (1..order.len()).rev() {
			order.swap(i, rng.below(i + 1));
		}
		let progress = epoch as f32 / recipe.epochs.max(1) as f32;
		let rate = recipe.learning_rate * (1.0 - 0.9 * progress);
		for batch in order.chunks(recipe.batch.max(1)) {
			let mut grads: Vec<(Vec<f32>, Vec<f32>)> = mlp
				.layers
				.iter()
				.map(|l| (vec![0.0; l.weights.len()], vec![0.0; l.biases.len()]))
				.collect();
			for &i in batch {
				let (x, label) = &samples[i];
				accumulate(&mlp, x, *label, &mut grads);
			}
			let scale = 1.0 / batch.len() as f32;
			for ((layer, (vw, vb)), (gw, gb)) in
				mlp.layers.iter_mut().zip(&mut velocity).zip(&grads)
			{
				for ((w, v), g) in layer.weights.iter_mut().zip(vw.iter_mut()).zip(gw) {
					*v = recipe.momentum * *v - rate * (g * scale + recipe.weight_decay * *w);
					*w += *v;
				}
				for ((b, v), g) in layer.biases.iter_mut().zip(vb.iter_mut()).zip(gb) {
					*v = recipe.momentum * *v - rate * (g * scale);
					*b += *v;
				}
			}
		}
	}
	Ok(mlp)
}

/// Adds the gradient of the cross-entropy loss on one sample to `grads`.
fn accumulate(mlp: &FloatMlp, x: &[f32], label: usize, grads: &mut [(Vec<f32>, Vec<f32>)]) {
	let activations = mlp.activations(x);
	let logits = activations.last().expect("an MLP has a layer");
	// Softmax, shifted by the largest logit so that `exp` never overflows.
	let top = logits.iter().fold(f32::MIN, |m, &z| m.max(z));
	let exps: Vec<f32> = logits.iter().map(|&z| libm::expf(z - top)).collect();
	let total = exps.iter().fold(0.0, |sum, &e| sum + e);
	let mut delta: Vec<f32> = exps.iter().map(|&e| e / total).collect();
	delta[label] -= 1.0;
	for l in (0..mlp.layers.len()).rev() {
		let layer = &mlp.layers[l];
		let input = &activations[l];
		let (gw, gb) = &mut grads[l];
		for (o, &d) in delta.iter().enumerate() {
			gb[o] += d;
			for (g, &xi) in gw[o * layer.inputs..(o + 1) * layer.inputs].iter_mut().zip(input) {
				*g += d * xi;
			}
		}
		if l > 0 {
			// Back through the weights, then through the previous layer's ReLU.
			let mut back = vec![0.0f32; layer.inputs];
			for (o, &d) in delta.iter().enumerate() {
				let row = &layer.weights[o * layer.inputs..(o + 1) * layer.inputs];
				for (b, &w) in back.iter_mut().zip(row) {
					*b += w * d;
				}
			}
			for (b, &a) in back.iter_mut().zip(input) {
				if a <= 0.0 {
					*b = 0.0;
				}
			}
			delta = back;
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Two classes told apart by which input is larger: any working trainer learns it.
	#[test]
	fn training_learns_a_separable_rule_and_repeats_itself_exactly() {
		let mut rng = Rng(7);
		let samples: Vec<(Vec<f32>, usize)> = (0..200)
			.map(|_| {
				let (a, b) = (rng.symmetric(), rng.symmetric());
				(vec![a, b], usize::from(a > b))
			})
			.collect();
		let recipe = Recipe {
			dims: vec![2, 8, 2],
			epochs: 40,
			batch: 10,
			learning_rate: 0.1,
			momentum: 0.9,
			weight_decay: 0.0,
			seed: 1,
		};
		let mlp = train(&recipe, &samples).unwrap();
		let correct = samples.iter().filter(|(x, label)| mlp.predict(x) == *label).count();
		assert!(correct >= 190, "{correct} of 200");
		assert_eq!(train(&recipe, &samples), Ok(mlp.clone()), "the same recipe, the same weights");
		let other = train(&Recipe { seed: 2, ..recipe.clone() }, &samples).unwrap();
		assert_ne!(other, mlp, "the seed decides the weights");
		let bad_label = [(vec![0.0, 0.0], 2)];
		assert_eq!(
			train(&recipe, &bad_label),
			Err(SampleError::Label { index: 0, label: 2, classes: 2 })
		);
		let narrow = [(vec![0.0], 0)];
		assert_eq!(
			train(&recipe, &narrow),
			Err(SampleError::Width { index: 0, got: 1, expected: 2 })
		);
		let empty = Recipe { dims: vec![2], ..recipe };
		assert_eq!(train(&empty, &narrow), Err(SampleError::Widths));
	}

	#[test]
	fn argmax_takes_the_lowest_of_a_tie() {
		assert_eq!(argmax(&[1, 5, 5, 2]), 1);
		assert_eq!(argmax(&[-3i32]), 0);
	}
}
