//! The model file: an int8 multi-layer perceptron for the `mlp-i8` kernel, as `concord model
//! run` reads it and as a user brings their own (docs/MODELS.md).
//!
//! | bytes | what |
//! |---|---|
//! | 8 | [`MAGIC`] |
//! | 4 | `L`, the number of layers, `u32` little-endian |
//! | 4 × (L + 1) | the widths `d0..=dL`, `u32` little-endian |
//! | the rest | the weights section: for each layer `W_l`, `b_l`, `shift_l`, exactly as KERNELS.md lays them out at the start of an mlp-i8 job's input |
//!
//! The weights section is therefore the leading byte range of every job that runs the model,
//! and its BLAKE3 root ([`Model::weights_root`]) names the model.

use concord_primitives::kernel::{
	check_input, validate_params, InputError, KernelId, KernelShape, MlpShape, ParamsError,
	MLP_MAX_LAYERS,
};

/// The first 8 bytes of every model file.
pub const MAGIC: [u8; 8] = *b"CNCDMLP1";

/// The largest model file mlp-i8 can run: the header, and 7 layers of 4096 × 4096 weights
/// with their biases and shifts (about 112 MiB). Files are read no further.
pub const MAX_MODEL_BYTES: u64 = 8 + 4 + 4 * 8 + 7 * (4096 * 4096 + 4 * 4096 + 4);

/// The most sample bytes one mlp-i8 job takes: 65,536 samples of 4,096 bytes (256 MiB).
pub const MAX_SAMPLE_BYTES: u64 = 65_536 * 4096;

/// Why bytes are not a model, or samples not an input for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
	/// The file does not start with [`MAGIC`].
	#[error("not a model file: it does not start with \"CNCDMLP1\"")]
	NotAModel,
	/// The file ends inside its header.
	#[error("the model file ends inside its header")]
	TruncatedHeader,
	/// The layer count is outside what mlp-i8 takes.
	#[error("the model has {0} layers: mlp-i8 takes 1 to {MLP_MAX_LAYERS}")]
	Layers(u32),
	/// A width is outside what mlp-i8 takes.
	#[error("the model's shape: {0}")]
	Shape(ParamsError),
	/// A layer's weights or biases are not as many as its widths make them.
	#[error("layer {layer} has {weights} weights and {biases} biases, its widths make them {expected_weights} and {expected_biases}")]
	LayerShape {
		layer: u32,
		weights: usize,
		biases: usize,
		expected_weights: usize,
		expected_biases: usize,
	},
	/// The layers given are not as many as the widths make them.
	#[error("{got} layers for {expected} pairs of widths")]
	LayerCount { expected: usize, got: usize },
	/// The weights section is not as long as the widths make it.
	#[error("the weights section is {got} bytes, the widths make it {expected}")]
	WeightsLength { expected: u64, got: u64 },
	/// A layer's shift is outside what mlp-i8 takes.
	#[error("the model's weights: {0}")]
	Weights(InputError),
	/// The samples are not a whole number of the model's input width.
	#[error("{len} bytes of samples are not a whole number of samples of {width} bytes")]
	PartialSample { len: usize, width: u32 },
	/// More samples than one mlp-i8 job takes, or none.
	#[error("the samples: {0}")]
	Batch(ParamsError),
}

/// One layer's integer weights, as the quantizer makes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
	/// `d_l × d_(l-1)`, row-major (a row per output unit).
	pub weights: Vec<i8>,
	pub biases: Vec<i32>,
	/// The right shift applied to this layer's sums (unused by the last layer).
	pub shift: u32,
}

/// A checked model: its widths, and its weights section as mlp-i8 reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model {
	dims: Vec<u32>,
	weights: Vec<u8>,
}

impl Model {
	/// A model of widths `dims` (`d0..=dL`) from its layers' integer weights.
	pub fn from_layers(dims: &[u32], layers: &[Layer]) -> Result<Model, ModelError> {
		let expected = dims.len().saturating_sub(1);
		if layers.len() != expected {
			return Err(ModelError::LayerCount { expected, got: layers.len() });
		}
		let mut weights = Vec::new();
		for (l, (layer, pair)) in layers.iter().zip(dims.windows(2)).enumerate() {
			let (expected_weights, expected_biases) =
				((pair[0] as usize).saturating_mul(pair[1] as usize), pair[1] as usize);
			if (layer.weights.len(), layer.biases.len()) != (expected_weights, expected_biases) {
				return Err(ModelError::LayerShape {
					layer: l as u32 + 1,
					weights: layer.weights.len(),
					biases: layer.biases.len(),
					expected_weights,
					expected_biases,
				});
			}
			weights.extend(layer.weights.iter().map(|&w| w as u8));
			weights.extend(layer.biases.iter().flat_map(|b| b.to_le_bytes()));
			weights.extend(layer.shift.to_le_bytes());
		}
		Model::checked(dims.to_vec(), weights)
	}

	/// Reads a model file, checking it against the mlp-i8 contract.
	pub fn decode(bytes: &[u8]) -> Result<Model, ModelError> {
		let rest = bytes.strip_prefix(&MAGIC).ok_or(ModelError::NotAModel)?;
		let word = |at: usize| -> Result<u32, ModelError> {
			rest.get(at..at + 4)
				.and_then(|b| <[u8; 4]>::try_from(b).ok())
				.map(u32::from_le_bytes)
				.ok_or(ModelError::TruncatedHeader)
		};
		let layers = word(0)?;
		// Bounded before it sizes anything.
		if layers == 0 || layers as usize > MLP_MAX_LAYERS {
			return Err(ModelError::Layers(layers));
		}
		let dims = (0..=layers as usize).map(|i| word(4 + 4 * i)).collect::<Result<Vec<_>, _>>()?;
		let section = &rest[4 + 4 * dims.len()..];
		// The length is checked before the section is copied.
		let expected = shape_of(1, layers, &dims)?.samples_offset();
		if section.len() as u64 != expected {
			return Err(ModelError::WeightsLength { expected, got: section.len() as u64 });
		}
		Model::checked(dims, section.to_vec())
	}

	/// The model file's bytes.
	pub fn encode(&self) -> Vec<u8> {
		let mut bytes = MAGIC.to_vec();
		bytes.extend((self.dims.len() as u32 - 1).to_le_bytes());
		bytes.extend(self.dims.iter().flat_map(|d| d.to_le_bytes()));
		bytes.extend(&self.weights);
		bytes
	}

	fn checked(dims: Vec<u32>, weights: Vec<u8>) -> Result<Model, ModelError> {
		let layers = dims.len().saturating_sub(1) as u32;
		let mlp = shape_of(1, layers, &dims)?;
		let expected = mlp.samples_offset();
		let got = weights.len() as u64;
		if got != expected {
			return Err(ModelError::WeightsLength { expected, got });
		}
		// The kernel's own input rule checks the shifts, on one zero sample.
		let mut input = weights;
		input.resize(expected as usize + mlp.d_in() as usize, 0);
		check_input(&KernelShape::MlpI8(mlp), &input).map_err(ModelError::Weights)?;
		input.truncate(expected as usize);
		Ok(Model { dims, weights: input })
	}

	/// `d0..=dL`.
	pub fn dims(&self) -> &[u32] {
		&self.dims
	}

	/// Bytes per sample: `d0`.
	pub fn input_width(&self) -> u32 {
		self.dims[0]
	}

	/// Logits per sample: `dL`.
	pub fn classes(&self) -> u32 {
		*self.dims.last().unwrap_or(&0)
	}

	/// The weights section: the leading bytes of every job's input.
	pub fn weights(&self) -> &[u8] {
		&self.weights
	}

	/// The BLAKE3 root of the weights section, which names the model.
	pub fn weights_root(&self) -> [u8; 32] {
		*blake3::hash(&self.weights).as_bytes()
	}

	/// The mlp-i8 params of a job running `batch` samples through the model.
	pub fn params(&self, batch: u32) -> Vec<u32> {
		let mut params = vec![batch, self.dims.len() as u32 - 1];
		params.extend(&self.dims);
		params
	}

	/// The mlp-i8 job that runs `samples` (`d0` bytes each, as `i8`) through the model: its
	/// params and its input, the weights section followed by the samples.
	pub fn job(&self, samples: &[u8]) -> Result<(Vec<u32>, Vec<u8>), ModelError> {
		let width = self.input_width();
		if !samples.len().is_multiple_of(width as usize) {
			return Err(ModelError::PartialSample { len: samples.len(), width });
		}
		let batch = u32::try_from(samples.len() / width as usize).unwrap_or(u32::MAX);
		let params = self.params(batch);
		validate_params(KernelId::MlpI8, &params).map_err(ModelError::Batch)?;
		let mut input = Vec::with_capacity(self.weights.len() + samples.len());
		input.extend(&self.weights);
		input.extend(samples);
		Ok((params, input))
	}
}

/// The mlp-i8 shape of `batch` samples through `layers` layers of widths `dims`, by the
/// kernel's own params rule.
fn shape_of(batch: u32, layers: u32, dims: &[u32]) -> Result<MlpShape, ModelError> {
	let mut params = vec![batch, layers];
	params.extend(dims);
	match validate_params(KernelId::MlpI8, &params).map_err(ModelError::Shape)? {
		KernelShape::MlpI8(mlp) => Ok(mlp),
		_ => unreachable!("mlp-i8 params give an mlp-i8 shape"),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn tiny_layers() -> Vec<Layer> {
		vec![
			Layer { weights: vec![1, -2, 3, -4, 5, -6], biases: vec![7, -8], shift: 3 },
			Layer { weights: vec![127, -128], biases: vec![i32::MIN], shift: 0 },
		]
	}

	fn tiny() -> Model {
		Model::from_layers(&[3, 2, 1], &tiny_layers()).unwrap()
	}

	#[test]
	fn a_model_file_reads_back_as_written() {
		let model = tiny();
		let bytes = model.encode();
		assert_eq!(&bytes[..8], b"CNCDMLP1");
		assert_eq!(&bytes[8..12], &2u32.to_le_bytes());
		assert_eq!(Model::decode(&bytes), Ok(model.clone()));
		// The weights section is exactly what mlp-i8 reads before the samples.
		let (params, input) = model.job(&[1, 2, 3, 4, 5, 6]).unwrap();
		assert_eq!(params, [2, 2, 3, 2, 1]);
		assert_eq!(input.len(), model.weights().len() + 6);
		let shape = validate_params(KernelId::MlpI8, &params).unwrap();
		assert_eq!(check_input(&shape, &input), Ok(()));
		assert_eq!(model.weights_root(), *blake3::hash(model.weights()).as_bytes());
	}

	#[test]
	fn a_broken_model_file_is_refused_by_name() {
		let good = tiny().encode();
		assert_eq!(Model::decode(b"GGUF0000"), Err(ModelError::NotAModel));
		assert_eq!(Model::decode(&good[..10]), Err(ModelError::TruncatedHeader));
		assert_eq!(Model::decode(&good[..18]), Err(ModelError::TruncatedHeader));

		let mut no_layers = good.clone();
		no_layers[8..12].copy_from_slice(&0u32.to_le_bytes());
		assert_eq!(Model::decode(&no_layers), Err(ModelError::Layers(0)));
		// A huge layer count is refused before anything is sized by it.
		let mut huge = good.clone();
		huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
		assert_eq!(Model::decode(&huge), Err(ModelError::Layers(u32::MAX)));
		let mut eight = good.clone();
		eight[8..12].copy_from_slice(&8u32.to_le_bytes());
		assert_eq!(Model::decode(&eight), Err(ModelError::Layers(8)));
		let mut wide = good.clone();
		wide[12..16].copy_from_slice(&4097u32.to_le_bytes());
		assert!(matches!(Model::decode(&wide), Err(ModelError::Shape(_))));

		let expected = tiny().weights().len() as u64;
		assert_eq!(
			Model::decode(&good[..good.len() - 1]),
			Err(ModelError::WeightsLength { expected, got: expected - 1 })
		);
		let mut trailing = good.clone();
		trailing.push(0);
		assert_eq!(
			Model::decode(&trailing),
			Err(ModelError::WeightsLength { expected, got: expected + 1 })
		);
		// Layer 1's shift sits after its 6 weights and 2 biases.
		let mut shifted = good.clone();
		let at = 8 + 4 + 12 + 6 + 8;
		shifted[at..at + 4].copy_from_slice(&32u32.to_le_bytes());
		assert_eq!(
			Model::decode(&shifted),
			Err(ModelError::Weights(InputError::MlpShiftOutOfRange { layer: 1, shift: 32 }))
		);
	}

	#[test]
	fn layers_must_have_the_widths_of_their_model() {
		let mut layers = tiny_layers();
		assert_eq!(
			Model::from_layers(&[3, 2], &layers),
			Err(ModelError::LayerCount { expected: 1, got: 2 })
		);
		// One weight moved from the first layer to the second: the total is right, the layers
		// are not.
		let moved = layers[0].weights.pop().unwrap();
		layers[1].weights.push(moved);
		assert_eq!(
			Model::from_layers(&[3, 2, 1], &layers),
			Err(ModelError::LayerShape {
				layer: 1,
				weights: 5,
				biases: 2,
				expected_weights: 6,
				expected_biases: 2
			})
		);
	}

	#[test]
	fn samples_must_be_whole_and_fit_one_job() {
		let model = tiny();
		assert_eq!(model.job(&[1, 2]), Err(ModelError::PartialSample { len: 2, width: 3 }));
		assert!(matches!(model.job(&[]), Err(ModelError::Batch(_))));
		assert!(matches!(model.job(&vec![0; 3 * 65_537]), Err(ModelError::Batch(_))));
		assert!(model.job(&vec![0; 3 * 65_536]).is_ok());
	}

	#[test]
	fn the_largest_model_file_is_the_largest_mlp_i8_runs() {
		let dims = [4096u32; 8];
		let mut params = vec![1, 7];
		params.extend(dims);
		let KernelShape::MlpI8(mlp) = validate_params(KernelId::MlpI8, &params).unwrap() else {
			unreachable!()
		};
		assert_eq!(MAX_MODEL_BYTES, 8 + 4 + 4 * 8 + mlp.samples_offset());
	}
}
