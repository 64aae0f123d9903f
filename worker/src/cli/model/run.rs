//! `concord model run MODEL --local`: samples packed behind a model's weights into one mlp-i8
//! workload, its shards run on this machine, and each sample's class read off the logits.

use crate::cli::{kernel::local::Device, Output};
use anyhow::{bail, Context};
use clap::Args;
use concord_kernels::{result_hash, workload, KernelId};
use concord_model::{digits, predict, Model};
use concord_worker::report;
use std::{path::PathBuf, time::Instant};

#[derive(Args)]
pub struct RunArgs {
	/// `digits` (the classifier trained in this repository, model/digits/digits.mlp), or a
	/// model file in the format of docs/MODELS.md.
	model: String,
	/// The samples: `d0` bytes (`i8`) each, back to back. `digits` takes its 360 test images
	/// when none are given.
	#[arg(long)]
	input: Option<PathBuf>,
	/// Each sample's true class, one byte each: the accuracy is printed.
	#[arg(long, requires = "input")]
	labels: Option<PathBuf>,
	/// How many shards to divide the samples into (1 to 1024), as a workload on the network
	/// would be.
	#[arg(long, default_value_t = 1)]
	shards: u32,
	/// Run the CPU reference instead of the GPU.
	#[arg(long)]
	cpu: bool,
	/// Write the logits here: mlp-i8's output, `dL` little-endian `i32` per sample.
	#[arg(long)]
	output: Option<PathBuf>,
	/// Run on this machine. Required: running on the network comes with workloads on chain.
	#[arg(long, required = true)]
	local: bool,
}

/// The model, its samples and their labels, as the arguments give them.
fn load(args: &RunArgs) -> anyhow::Result<(Model, Vec<u8>, Option<Vec<u8>>)> {
	let read = |path: &PathBuf| -> anyhow::Result<Vec<u8>> {
		std::fs::read(path).with_context(|| format!("reading {}", path.display()))
	};
	let model = if args.model == "digits" {
		digits::model()?
	} else {
		let bytes = read(&PathBuf::from(&args.model))?;
		Model::decode(&bytes).with_context(|| format!("reading the model {}", args.model))?
	};
	let (samples, labels) = match (&args.input, &args.labels) {
		(Some(input), labels) => (read(input)?, labels.as_ref().map(read).transpose()?),
		(None, _) if args.model == "digits" => {
			let (_, test) = digits::split()?;
			(digits::samples(&test), Some(digits::labels(&test)))
		}
		(None, _) => bail!("{} needs samples: pass --input FILE", args.model),
	};
	Ok((model, samples, labels))
}

pub fn run(args: RunArgs, out: Output) -> anyhow::Result<()> {
	let (model, samples, labels) = load(&args)?;
	let (params, input) = model.job(&samples)?;
	let count = params[0] as usize;
	if let Some(labels) = &labels {
		if labels.len() != count {
			bail!("{} labels for {count} samples: give one byte per sample", labels.len());
		}
	}
	// Refused before any device is opened.
	concord_primitives::workload::check(KernelId::MlpI8, &params, args.shards)
		.map_err(workload::WorkloadError::from)?;
	let started = Instant::now();
	let mut device = Device::open(args.cpu, &out)?;
	let assembled =
		workload::run_local(KernelId::MlpI8, &params, args.shards, &input, |shard, input| {
			device.run(KernelId::MlpI8, shard.params(), input)
		})?;
	let seconds = started.elapsed().as_secs_f64();
	if let Some(path) = &args.output {
		std::fs::write(path, &assembled.output)
			.with_context(|| format!("writing {}", path.display()))?;
	}
	let predictions = predict::predictions(&assembled.output, model.classes());
	let correct = labels.as_ref().map(|labels| predict::correct(&predictions, labels));
	let weights_root = report::hash(&model.weights_root());
	let aggregate_root = report::hash(&assembled.aggregate_root);

	let mut human = String::from("predicted classes");
	human.push_str(if labels.is_some() { " (wrong ones as predicted/true):" } else { ":" });
	for (row, chunk) in predictions.chunks(20).enumerate() {
		human.push('\n');
		for (i, class) in chunk.iter().enumerate() {
			let truth = labels.as_ref().map(|l| u32::from(l[row * 20 + i]));
			match truth {
				Some(truth) if truth != *class => human.push_str(&format!(" {class}/{truth}")),
				_ => human.push_str(&format!(" {class}")),
			}
		}
	}
	if let Some(correct) = correct {
		let percent = correct as f64 * 100.0 / count as f64;
		human.push_str(&format!("\n{correct} of {count} correct ({percent:.1} %)"));
	}
	human.push_str(&format!(
		"\nmodel weights root {weights_root}; {} shards, aggregate root {aggregate_root}",
		args.shards
	));
	out.print(
		human,
		serde_json::json!({
			"model": args.model,
			"weights_root": weights_root,
			"samples": count,
			"predictions": predictions,
			"correct": correct,
			"shards": args.shards,
			"aggregate_root": aggregate_root,
			"result_hash": report::hash(&result_hash(&assembled.output)),
			"output_bytes": assembled.output.len(),
			"seconds": seconds,
			"device": device.name(),
		}),
	);
	Ok(())
}
