//! Models served on the Concord network.
//!
//! - [`mod@format`]: the model file, an int8 multi-layer perceptron for the `mlp-i8` kernel whose
//!   weights section is the leading byte range of every job that runs it (docs/MODELS.md).
//! - [`train`] and [`quantize`]: a float MLP trained bit for bit the same on every machine, and
//!   its post-training quantization to power-of-two scales.
//! - [`digits`]: the handwritten-digits set, shipped in this repository as the `smartcore`
//!   crate ships it, and the classifier trained on it here.
//! - [`predict`]: classes out of the logits a job returns.

pub mod digits;
pub mod format;
pub mod predict;
pub mod quantize;
pub mod train;

pub use format::{Model, ModelError};
