//! The digits classifier trained in this repository: the committed model is what training
//! gives on any machine, and it scores what docs/MODELS.md says.

use concord_model::digits;

#[test]
fn training_reproduces_the_committed_model_and_its_documented_accuracy() {
	let trained = digits::train().unwrap();
	assert!(
		trained.model.encode() == digits::MODEL,
		"model/digits/digits.mlp is not what training gives: run `concord model train digits \
		 --out model/digits/digits.mlp` and commit it, with its figures in docs/MODELS.md"
	);
	assert_eq!(trained.test_images, 360);
	// Integer inference on fixed weights is exact: the count is a fact, not a range.
	let docs = include_str!("../../docs/MODELS.md");
	let stated =
		format!("The int8 model classifies {} of 360 test images right", trained.int8_correct);
	assert!(docs.contains(&stated), "docs/MODELS.md should say: {stated}");
	let float = format!("| float (f32) | {} of 360", trained.float_correct);
	assert!(docs.contains(&float), "docs/MODELS.md should say: {float}");
	let root = format!("0x{}", blake3::Hash::from(trained.model.weights_root()).to_hex());
	assert!(docs.contains(&root), "docs/MODELS.md should name the weights root {root}");
	// Quantization loses at most 2 points of accuracy.
	let lost = trained.float_correct.saturating_sub(trained.int8_correct);
	assert!(lost * 100 <= 2 * 360, "int8 loses {lost} of 360 test images");
	// Far better than chance (36 of 360): the weights mean something.
	assert!(trained.int8_correct >= 324, "{} of 360", trained.int8_correct);
}
