//! The handwritten-digits set and the classifier trained on it in this repository.
//!
//! The data is `src/dataset/digits.xy` of the `smartcore` crate, version 0.4.2, byte for byte
//! (docs/MODELS.md says how to check it): 1,797 images of 8×8 pixels valued 0 to 16, each with
//! its digit. The first 1,437 train and the last 360 test, always. Nothing is downloaded.

use crate::{
	format::Model,
	predict, quantize,
	train::{self, FloatMlp, Recipe},
	ModelError,
};
use concord_kernels::{cpu, KernelError, KernelId};

/// The data file, as the `smartcore` crate ships it.
pub const DATA: &[u8] = include_bytes!("../digits/digits.xy");

/// The BLAKE3 of [`DATA`] (`b3sum` prints it).
pub const DATA_BLAKE3: &str = "fd0e547c58498c0c65c50725cc25a9c09ecd575895158de2cc7c9cf8eb2c05ad";

/// The model trained by [`train()`], as committed: `model/digits/digits.mlp`.
pub const MODEL: &[u8] = include_bytes!("../digits/digits.mlp");

/// Images in the set.
pub const IMAGES: usize = 1797;
/// Of them, the first this many train; the rest test.
pub const TRAINING_IMAGES: usize = 1437;
/// Pixels per image: 8 × 8.
pub const PIXELS: usize = 64;
/// Digits 0 to 9.
pub const CLASSES: usize = 10;
/// The integer input is the pixel itself: its float value (`pixel / 16`) times `2^4`.
const INPUT_EXPONENT: i32 = 4;

/// One image and the digit it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digit {
	/// Row-major, each 0 to 16: one `i8` sample of mlp-i8 as it is.
	pub pixels: [u8; PIXELS],
	pub label: u8,
}

impl Digit {
	/// The pixels as the float network sees them: 0.0 to 1.0.
	pub fn float_pixels(&self) -> Vec<f32> {
		self.pixels.iter().map(|&p| f32::from(p) / 16.0).collect()
	}
}

/// Why the data file does not read as the digits set (it is compiled in, so only a changed
/// file can give one).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DataError {
	#[error("the data file's header says {features} features of {samples} samples")]
	Header { features: u64, samples: u64 },
	#[error("the data file is {got} bytes, its header makes it {expected}")]
	Length { expected: usize, got: usize },
	#[error("value {value} at {index} is not a pixel (an integer from 0 to 16)")]
	Pixel { index: usize, value: f32 },
	#[error("label {value} of image {index} is not a digit")]
	Label { index: usize, value: f32 },
}

/// Every image, in the file's order.
pub fn all() -> Result<Vec<Digit>, DataError> {
	let word = |at: usize| u64::from_le_bytes(DATA[at..at + 8].try_into().expect("8 bytes"));
	let (features, samples) = (word(0), word(8));
	if (features, samples) != (PIXELS as u64, IMAGES as u64) {
		return Err(DataError::Header { features, samples });
	}
	let expected = 16 + 4 * (PIXELS + 1) * IMAGES;
	if DATA.len() != expected {
		return Err(DataError::Length { expected, got: DATA.len() });
	}
	let float = |i: usize| f32::from_le_bytes(DATA[16 + 4 * i..20 + 4 * i].try_into().expect("4"));
	let integer =
		|value: f32, top: u8| -> Option<u8> { (0..=top).find(|&n| f32::from(n) == value) };
	(0..IMAGES)
		.map(|image| {
			let mut pixels = [0u8; PIXELS];
			for (p, pixel) in pixels.iter_mut().enumerate() {
				let index = image * PIXELS + p;
				let value = float(index);
				*pixel = integer(value, 16).ok_or(DataError::Pixel { index, value })?;
			}
			let value = float(IMAGES * PIXELS + image);
			let label = integer(value, 9).ok_or(DataError::Label { index: image, value })?;
			Ok(Digit { pixels, label })
		})
		.collect()
}

/// The fixed split: the first [`TRAINING_IMAGES`] train, the rest test.
pub fn split() -> Result<(Vec<Digit>, Vec<Digit>), DataError> {
	let mut training = all()?;
	let test = training.split_off(TRAINING_IMAGES);
	Ok((training, test))
}

/// The images as mlp-i8 samples, back to back.
pub fn samples(digits: &[Digit]) -> Vec<u8> {
	digits.iter().flat_map(|d| d.pixels).collect()
}

/// The images' digits, one byte each.
pub fn labels(digits: &[Digit]) -> Vec<u8> {
	digits.iter().map(|d| d.label).collect()
}

/// The committed model.
pub fn model() -> Result<Model, ModelError> {
	Model::decode(MODEL)
}

/// How the digits classifier is trained: 64-64-32-10.
pub fn recipe() -> Recipe {
	Recipe {
		dims: vec![PIXELS, 64, 32, CLASSES],
		epochs: 100,
		batch: 16,
		learning_rate: 0.05,
		momentum: 0.9,
		weight_decay: 0.0005,
		seed: 2026,
	}
}

/// A trained classifier and how it does on the 360 test images.
pub struct Trained {
	pub float: FloatMlp,
	pub model: Model,
	/// Test images the float network classifies right.
	pub float_correct: usize,
	/// Test images the int8 model classifies right, run by the mlp-i8 CPU reference.
	pub int8_correct: usize,
	pub test_images: usize,
}

/// Why training did not give a model.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
	#[error("the digits data: {0}")]
	Data(#[from] DataError),
	#[error("training: {0}")]
	Samples(#[from] train::SampleError),
	#[error("quantizing: {0}")]
	Quantize(#[from] quantize::QuantizeError),
	#[error("the quantized model: {0}")]
	Model(#[from] ModelError),
	#[error("running the quantized model: {0}")]
	Kernel(#[from] KernelError),
}

/// Trains the classifier by [`recipe`] on the training images, quantizes it (calibrated on
/// them too), and scores both on the test images. The same bytes on every machine.
pub fn train() -> Result<Trained, TrainError> {
	let (training, test) = split()?;
	let inputs: Vec<(Vec<f32>, usize)> =
		training.iter().map(|d| (d.float_pixels(), usize::from(d.label))).collect();
	let float = train::train(&recipe(), &inputs)?;
	let calibration: Vec<Vec<f32>> = inputs.into_iter().map(|(x, _)| x).collect();
	let model = quantize::quantize(&float, INPUT_EXPONENT, &calibration)?;
	let float_correct =
		test.iter().filter(|d| float.predict(&d.float_pixels()) == usize::from(d.label)).count();
	let (params, input) = model.job(&samples(&test))?;
	let output = cpu::run(KernelId::MlpI8, &params, &input)?;
	let predictions = predict::predictions(&output, model.classes());
	let int8_correct = predict::correct(&predictions, &labels(&test));
	Ok(Trained { float, model, float_correct, int8_correct, test_images: test.len() })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_data_is_the_digits_set_as_smartcore_ships_it() {
		assert_eq!(blake3::hash(DATA).to_hex().as_str(), DATA_BLAKE3);
		let digits = all().unwrap();
		assert_eq!(digits.len(), IMAGES);
		// Every digit about equally often, in the set's repeating order at the start.
		for class in 0..10u8 {
			let count = digits.iter().filter(|d| d.label == class).count();
			assert!((174..=183).contains(&count), "{class}: {count}");
		}
		assert_eq!(labels(&digits[..12]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
		let (training, test) = split().unwrap();
		assert_eq!((training.len(), test.len()), (1437, 360));
		assert_eq!(training[..], digits[..1437]);
		assert!(digits.iter().all(|d| d.pixels.iter().all(|&p| p <= 16)));
		assert_eq!(samples(&test).len(), 360 * 64);
	}
}
