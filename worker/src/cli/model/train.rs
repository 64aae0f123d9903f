//! `concord model train digits`: the digits classifier trained from the data in this repository.

use crate::cli::Output;
use anyhow::Context;
use clap::{Args, ValueEnum};
use concord_model::digits;
use concord_worker::report;
use std::{path::PathBuf, time::Instant};

/// The models concord can train.
#[derive(Clone, Copy, ValueEnum)]
pub enum Trainable {
	/// The handwritten-digits classifier, 64-64-32-10.
	Digits,
}

#[derive(Args)]
pub struct TrainArgs {
	/// Which model.
	model: Trainable,
	/// Write the model file here.
	#[arg(long)]
	out: Option<PathBuf>,
}

pub fn run(args: TrainArgs, out: Output) -> anyhow::Result<()> {
	let Trainable::Digits = args.model;
	let started = Instant::now();
	out.progress("training 64-64-32-10 on the first 1437 digits (one thread, fixed seed)");
	let trained = digits::train()?;
	let seconds = started.elapsed().as_secs_f64();
	let bytes = trained.model.encode();
	if let Some(path) = &args.out {
		std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
	}
	let committed = bytes == digits::MODEL;
	let weights_root = report::hash(&trained.model.weights_root());
	let percent = |correct: usize| correct as f64 * 100.0 / trained.test_images as f64;
	let human = format!(
		"test images classified right: float {} of {} ({:.1} %), int8 {} of {} ({:.1} %)\n\
		 weights root {weights_root}, {} bytes; {}",
		trained.float_correct,
		trained.test_images,
		percent(trained.float_correct),
		trained.int8_correct,
		trained.test_images,
		percent(trained.int8_correct),
		bytes.len(),
		if committed {
			"the same bytes as the committed model/digits/digits.mlp"
		} else {
			"NOT the committed model/digits/digits.mlp"
		},
	);
	out.print(
		human,
		serde_json::json!({
			"model": "digits",
			"dims": trained.model.dims(),
			"test_images": trained.test_images,
			"float_correct": trained.float_correct,
			"int8_correct": trained.int8_correct,
			"weights_root": weights_root,
			"model_bytes": bytes.len(),
			"matches_committed": committed,
			"seconds": seconds,
		}),
	);
	Ok(())
}
