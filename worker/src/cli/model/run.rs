//! `concord model run MODEL`: samples packed behind a model's weights into one mlp-i8
//! workload, its shards run on the network's providers (or with `--local` on this machine),
//! and each sample's class read off the logits.

use crate::cli::{blob::StoreArg, chain_args::ChainArgs, kernel::local::Device, Output};
use anyhow::{bail, Context};
use clap::Args;
use concord_kernels::{result_hash, workload, KernelId};
use concord_model::{
	digits,
	format::{MAX_MODEL_BYTES, MAX_SAMPLE_BYTES},
	predict, Model,
};
use concord_worker::{
	chain::{Client, JobId},
	report,
	requester::{self, JobRequest, Reader, Reward},
};
use pallet_jobs::InputSpec;
use std::{path::PathBuf, time::Instant};

#[derive(Args)]
pub struct RunArgs {
	/// `digits` (the classifier trained in this repository, model/digits/digits.mlp), or a
	/// model file in the format of docs/MODELS.md (`./digits` for a file named so).
	model: String,
	/// The samples: `d0` bytes (`i8`) each, back to back. `digits` takes its 360 test images
	/// when none are given.
	#[arg(long)]
	input: Option<PathBuf>,
	/// Each sample's true class, one byte each: the accuracy is printed.
	#[arg(long, requires = "input")]
	labels: Option<PathBuf>,
	/// How many shards to divide the samples into (1 to 1024; on the network, each a job of
	/// its own whose input the chain carries inline). By default 1 with --local, and on the
	/// network the fewest whose inputs fit inline.
	#[arg(long)]
	shards: Option<u32>,
	/// Write the logits here: mlp-i8's output, `dL` little-endian `i32` per sample.
	#[arg(long)]
	output: Option<PathBuf>,
	/// Run every shard on this machine instead of on the network.
	#[arg(long)]
	local: bool,
	/// With --local: run the CPU reference instead of the GPU.
	#[arg(long, requires = "local")]
	cpu: bool,
	/// Providers that run each shard on the network.
	#[arg(long, default_value_t = 3, conflicts_with = "local")]
	replicas: u32,
	#[command(flatten)]
	chain: ChainArgs,
	/// Where shards' outputs are downloaded before they are assembled.
	#[command(flatten)]
	store: StoreArg,
}

/// A workload's output as assembled, wherever its shards ran.
struct Ran {
	output: Vec<u8>,
	aggregate_root: [u8; 32],
	/// The shards' jobs on the network, in shard order (none for a local run).
	jobs: Option<Vec<JobId>>,
	/// Each job's input hash as the chain recorded it: blake2-256 of the model's weights
	/// section followed by the shard's samples, checked here.
	input_hashes: Option<Vec<String>>,
	device: &'static str,
}

/// The bytes of `path`, refused past `limit`: no file larger than mlp-i8 can take is read
/// whole (`/dev/zero` included).
fn read_at_most(path: &PathBuf, limit: u64, what: &str) -> anyhow::Result<Vec<u8>> {
	use std::io::Read;
	let reading = || format!("reading {}", path.display());
	let file = std::fs::File::open(path).with_context(reading)?;
	let mut bytes = Vec::new();
	file.take(limit + 1).read_to_end(&mut bytes).with_context(reading)?;
	if bytes.len() as u64 > limit {
		bail!("{} is larger than {limit} bytes, the most {what}", path.display());
	}
	Ok(bytes)
}

/// The model, its samples and their labels, as the arguments give them.
fn load(args: &RunArgs) -> anyhow::Result<(Model, Vec<u8>, Option<Vec<u8>>)> {
	let model = if args.model == "digits" {
		digits::model()?
	} else {
		let path = PathBuf::from(&args.model);
		let bytes = read_at_most(&path, MAX_MODEL_BYTES, "an mlp-i8 model takes")?;
		Model::decode(&bytes).with_context(|| format!("reading the model {}", args.model))?
	};
	let (samples, labels) = match (&args.input, &args.labels) {
		(Some(input), labels) => (
			read_at_most(input, MAX_SAMPLE_BYTES, "one mlp-i8 job takes")?,
			labels
				.as_ref()
				.map(|path| read_at_most(path, MAX_SAMPLE_BYTES, "one mlp-i8 job takes"))
				.transpose()?,
		),
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
	let shards = match args.shards {
		Some(shards) => shards,
		None if args.local => 1,
		None => fewest_inline_shards(&params)?,
	};
	// Refused before any device is opened or job submitted.
	concord_primitives::workload::check(KernelId::MlpI8, &params, shards)
		.map_err(workload::WorkloadError::from)?;
	let started = Instant::now();
	let assembled = if args.local {
		let mut device = Device::open(args.cpu, &out)?;
		let assembled =
			workload::run_local(KernelId::MlpI8, &params, shards, &input, |shard, input| {
				device.run(KernelId::MlpI8, shard.params(), input)
			})?;
		Ran {
			output: assembled.output,
			aggregate_root: assembled.aggregate_root,
			jobs: None,
			input_hashes: None,
			device: device.name(),
		}
	} else {
		tokio::runtime::Runtime::new()?.block_on(on_network(&args, shards, &params, &input, out))?
	};
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
		"\nmodel weights root {weights_root}; {shards} shards, aggregate root {aggregate_root}"
	));
	out.print(
		human,
		serde_json::json!({
			"model": args.model,
			"weights_root": weights_root,
			"samples": count,
			"predictions": predictions,
			"correct": correct,
			"shards": shards,
			"aggregate_root": aggregate_root,
			"result_hash": report::hash(&result_hash(&assembled.output)),
			"output_bytes": assembled.output.len(),
			"seconds": seconds,
			"device": assembled.device,
			"jobs": assembled.jobs,
			"input_hashes": assembled.input_hashes,
		}),
	);
	Ok(())
}

/// The fewest shards of an mlp-i8 job of `params` whose inputs each ride on chain, within the
/// jobs a requester may have open.
fn fewest_inline_shards(params: &[u32]) -> anyhow::Result<u32> {
	let most_open = requester::max_open_jobs_per_requester();
	let fits = |shards: u32| {
		concord_primitives::workload::shards(KernelId::MlpI8, params, shards)
			.is_ok_and(|mut all| all.all(|s| s.input_len() <= requester::inline_bound()))
	};
	(1..=most_open).find(|&shards| fits(shards)).ok_or_else(|| {
		anyhow::anyhow!(
			"even {most_open} shards (the jobs a requester may have open) have inputs over the \
			 {} bytes the chain carries inline: run it with --local",
			requester::inline_bound()
		)
	})
}

/// What a run that stops after submitting says of the jobs it leaves: they go on, paid from
/// their own escrow, and the job commands reach them.
fn jobs_left(jobs: &[JobId]) -> String {
	format!(
		"this run's jobs go on without it (in shard order: {jobs:?}): `concord job wait N` \
		 follows one, `concord job fetch N` takes its output"
	)
}

/// Runs the workload's shards on the network, each a job of its own with its input inline:
/// prices every shard, submits them all at the dearest shard's least reward, follows each to
/// its verdict, checks its input hash on chain, fetches each attested output from the
/// providers that agreed on it (every piece checked against the attested hash), and puts
/// them in place. Until workloads are on chain, the aggregate root is computed here, over the
/// attested hashes.
async fn on_network(
	args: &RunArgs,
	shard_count: u32,
	params: &[u32],
	input: &[u8],
	out: Output,
) -> anyhow::Result<Ran> {
	let kernel = KernelId::MlpI8;
	let shards: Vec<_> = concord_primitives::workload::shards(kernel, params, shard_count)
		.map_err(workload::WorkloadError::from)?
		.collect();
	// Each shard is an open job of the requester's at once, and rides on chain: refused here,
	// before anything is submitted, rather than halfway.
	let most_open = requester::max_open_jobs_per_requester();
	if shard_count > most_open {
		bail!(
			"{shard_count} shards would be {shard_count} jobs open at once, and the chain lets a \
			 requester have {most_open}: use at most {most_open} shards"
		);
	}
	let inputs: Vec<Vec<u8>> = shards.iter().map(|s| workload::shard_input(input, s)).collect();
	let largest = inputs.iter().map(Vec::len).max().unwrap_or(0) as u64;
	if largest > requester::inline_bound() {
		bail!(
			"a shard's input is {largest} bytes (the weights and its samples), over the {} bytes \
			 the chain carries inline: use more shards",
			requester::inline_bound()
		);
	}
	let signer = args.chain.signer()?;
	let store = args.store.open()?;
	let client = Client::connect(&args.chain.rpc).await?;
	let quorum = concord_primitives::market::verdict::majority(args.replicas);
	// Priced all at once, before the first submission: the shards' own jobs fill providers'
	// slots, and a shard priced after them would find no free pool.
	let at = client.best_header().await?.hash();
	let mut reward = 0;
	for shard in &shards {
		let least = async {
			let quote =
				requester::quote(&client, kernel, shard.params(), args.replicas, quorum, at);
			requester::market_reward(&quote.await?)
		};
		reward = reward.max(least.await.with_context(|| format!("pricing shard {}", shard.index))?);
	}
	// Made before anything is submitted: it checks the split again, and nothing may fail
	// between the submissions and following them.
	let assembly = workload::Assembly::new(kernel, params, shards.len() as u32)?;
	let mut jobs = Vec::with_capacity(shards.len());
	for (shard, input) in shards.iter().zip(inputs.iter().cloned()) {
		let request = JobRequest {
			kernel,
			params: shard.params().to_vec(),
			input: InputSpec::Inline(input),
			replicas: args.replicas,
			quorum,
			reward: Reward::AtLeast(reward),
			commit_window: None,
			reveal_window: requester::DEFAULT_REVEAL_WINDOW,
		};
		let submitted = match requester::submit(&client, &signer, request).await {
			Ok(submitted) => submitted,
			Err(e) if jobs.is_empty() => {
				return Err(e.context(format!("submitting shard {}", shard.index)))
			}
			Err(e) => {
				return Err(e.context(format!(
					"submitting shard {}; {}",
					shard.index,
					jobs_left(&jobs)
				)))
			}
		};
		out.progress(format!(
			"shard {}: job {} submitted, {} held in escrow",
			shard.index,
			submitted.job,
			report::cord(submitted.escrow)
		));
		jobs.push(submitted.job);
	}
	let collected = collect(&client, &signer, &store, assembly, &shards, &jobs, &inputs, out)
		.await
		.with_context(|| jobs_left(&jobs))?;
	let (assembled, input_hashes) = collected;
	Ok(Ran {
		output: assembled.output,
		aggregate_root: assembled.aggregate_root,
		jobs: Some(jobs),
		input_hashes: Some(input_hashes),
		device: "network",
	})
}

/// What [`collect`] gathers: the assembled output and the jobs' input hashes.
type Collected = (workload::Assembled, Vec<String>);

/// Follows each shard's job to its verdict, checks its input hash on chain, fetches its
/// attested output and puts it in place in `assembly`.
#[allow(clippy::too_many_arguments)]
async fn collect(
	client: &Client,
	signer: &concord_worker::chain::Signer,
	store: &concord_worker::data::Store,
	mut assembly: workload::Assembly,
	shards: &[concord_primitives::workload::Shard],
	jobs: &[JobId],
	inputs: &[Vec<u8>],
	out: Output,
) -> anyhow::Result<Collected> {
	let mut input_hashes = Vec::with_capacity(shards.len());
	for ((shard, &job), input) in shards.iter().zip(jobs).zip(inputs) {
		match requester::follow(client, job, |_, _, _| {}, async |_, _| false).await? {
			Some(ending) => drop(ending.attested(job)?),
			None => bail!("job {job} stopped being followed before it ended"),
		}
		// Which model answered: the chain recorded the hash of the job's input, which is the
		// weights section followed by the shard's samples.
		let (_, info, _) = requester::attested(client, job).await?;
		let sent = sp_core::H256(sp_crypto_hashing::blake2_256(input));
		if info.spec.input.hash != sent {
			bail!(
				"job {job}'s input hash on chain is {}, not {} of the weights and samples sent",
				report::hash(&info.spec.input.hash),
				report::hash(&sent)
			);
		}
		input_hashes.push(report::hash(&sent));
		let fetched =
			requester::fetch_result(client, job, &Reader::Requester(signer), store).await?;
		let bytes = std::fs::read(&fetched.fetched.path)
			.with_context(|| format!("reading job {job}'s output"))?;
		if !fetched.fetched.sources.is_empty() {
			// Downloaded for this run: the store keeps only downloads in progress.
			store.remove(&fetched.blob)?;
		}
		// The fetch checked every piece against the attested hash: it is the shard's leaf.
		assembly
			.place(shard, &bytes, fetched.result_hash.0)
			.with_context(|| format!("job {job}'s output"))?;
		out.progress(format!(
			"shard {}: job {job} attested {}, output fetched from {} providers; its input (the \
			 weights and {} samples) hashes to the chain's {}",
			shard.index,
			report::hash(&fetched.result_hash),
			fetched.fetched.sources.len(),
			shard.params()[0],
			report::hash(&sent)
		));
	}
	Ok((assembly.finish()?, input_hashes))
}
