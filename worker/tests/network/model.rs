//! `concord model`: the digits classifier trained in this repository, run on the GPU and
//! across the dev chain's providers as a workload, checked against a forward pass written
//! again from the contract.

use crate::common::*;
use concord_model::digits;
use concord_worker::chain::Client;
use pallet_jobs::Phase;
use pallet_providers::JobOutcome;

/// mlp-i8 as KERNELS.md states it, over a model file as docs/MODELS.md lays it out: written
/// again for this test, sharing no code with the kernels or the model crate.
fn forward_from_the_contract(model_file: &[u8], samples: &[u8]) -> Vec<u8> {
	let word = |at: usize| u32::from_le_bytes(model_file[at..at + 4].try_into().unwrap());
	assert_eq!(&model_file[..8], b"CNCDMLP1");
	let layers = word(8) as usize;
	let dims: Vec<usize> = (0..=layers).map(|i| word(12 + 4 * i) as usize).collect();
	let mut at = 12 + 4 * (layers + 1);
	let mut weights = Vec::new();
	for l in 1..=layers {
		let (d_in, d_out) = (dims[l - 1], dims[l]);
		let w: Vec<i32> =
			model_file[at..at + d_in * d_out].iter().map(|&b| b as i8 as i32).collect();
		at += d_in * d_out;
		let b: Vec<i32> = (0..d_out).map(|j| word(at + 4 * j) as i32).collect();
		at += 4 * d_out;
		let shift = word(at);
		at += 4;
		weights.push((w, b, shift));
	}
	assert_eq!(at, model_file.len(), "nothing after the last layer");
	let mut logits = Vec::new();
	for sample in samples.chunks(dims[0]) {
		let mut x: Vec<i32> = sample.iter().map(|&b| b as i8 as i32).collect();
		for (l, (w, b, shift)) in weights.iter().enumerate() {
			// acc_j = b_j + sum_i W[j][i] * x_i, in wrapping i32.
			let acc: Vec<i32> = b
				.iter()
				.enumerate()
				.map(|(j, &bj)| {
					(0..x.len())
						.fold(bj, |acc, i| acc.wrapping_add(w[j * x.len() + i].wrapping_mul(x[i])))
				})
				.collect();
			x = if l + 1 < weights.len() {
				acc.iter().map(|&a| (a >> shift).clamp(0, 127)).collect()
			} else {
				acc
			};
		}
		logits.extend(x.iter().flat_map(|v| v.to_le_bytes()));
	}
	logits
}

/// The test images docs/MODELS.md says the int8 model classifies right.
fn documented_correct() -> u64 {
	let docs = include_str!("../../../docs/MODELS.md");
	let (_, after) = docs.split_once("The int8 model classifies ").expect("the stated accuracy");
	after.split(' ').next().unwrap().parse().expect("a count")
}

#[test]
fn the_digits_model_runs_as_documented_and_an_independent_forward_pass_agrees() {
	let dir = tempfile::tempdir().unwrap();
	let (_, test) = digits::split().unwrap();
	let (samples, labels) = (digits::samples(&test), digits::labels(&test));
	let expected = forward_from_the_contract(digits::MODEL, &samples);

	// On the GPU, as 4 shards of 90 images.
	let logits_path = dir.path().join("logits");
	let run = concord()
		.args(["--json", "model", "run", "digits", "--local", "--shards", "4", "--output"])
		.arg(&logits_path)
		.output()
		.unwrap();
	let run = json(succeed(run, "concord model run"));
	assert_eq!(keys(&run), documented_fields("**`model run MODEL`**"), "docs/CLI-JSON.md");
	assert_eq!(run["device"], "GPU");
	let logits = std::fs::read(&logits_path).unwrap();
	assert!(logits == expected, "the GPU's logits differ from the contract's forward pass");
	let predictions: Vec<u64> =
		run["predictions"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect();
	let independent: Vec<u64> = expected
		.chunks_exact(40)
		.map(|sample| {
			let logits: Vec<i32> =
				sample.chunks_exact(4).map(|b| i32::from_le_bytes(b.try_into().unwrap())).collect();
			// The first of the largest.
			let top = *logits.iter().max().unwrap();
			logits.iter().position(|&l| l == top).unwrap() as u64
		})
		.collect();
	assert_eq!(predictions, independent);
	let right = predictions.iter().zip(&labels).filter(|(p, l)| **p == u64::from(**l)).count();
	assert_eq!(run["correct"], right as u64);
	assert_eq!(right as u64, documented_correct(), "docs/MODELS.md states the accuracy");
	let docs = include_str!("../../../docs/MODELS.md");
	for field in ["aggregate_root", "weights_root"] {
		let value = run[field].as_str().unwrap();
		assert!(docs.contains(value), "docs/MODELS.md shows the {field} {value}");
	}
	assert_eq!(run["samples"], 360);

	// Whole on the CPU reference: the same logits, so the same hash.
	let whole = concord().args(["--json", "model", "run", "digits", "--local", "--cpu"]).output();
	let whole = json(succeed(whole.unwrap(), "concord model run --cpu"));
	assert_eq!(whole["result_hash"], run["result_hash"]);
	assert_eq!(whole["predictions"], run["predictions"]);

	// Training again gives the committed file, and the figures the docs state.
	let trained_path = dir.path().join("digits.mlp");
	let train = concord()
		.args(["--json", "model", "train", "digits", "--out"])
		.arg(&trained_path)
		.output()
		.unwrap();
	let train = json(succeed(train, "concord model train"));
	assert_eq!(keys(&train), documented_fields("**`model train digits`**"), "docs/CLI-JSON.md");
	assert_eq!(train["matches_committed"], true, "{train}");
	assert!(std::fs::read(&trained_path).unwrap() == digits::MODEL);
	assert_eq!(train["int8_correct"], documented_correct());
	assert_eq!(train["weights_root"], run["weights_root"]);

	// A model brought as a file, with samples and labels of one's own: the first five images.
	let (input, label_file) = (dir.path().join("five.bin"), dir.path().join("five.labels"));
	std::fs::write(&input, &samples[..5 * 64]).unwrap();
	std::fs::write(&label_file, &labels[..5]).unwrap();
	let own = concord()
		.args(["--json", "model", "run", "--local", "--cpu"])
		.arg(&trained_path)
		.arg("--input")
		.arg(&input)
		.arg("--labels")
		.arg(&label_file)
		.output()
		.unwrap();
	let own = json(succeed(own, "concord model run FILE"));
	assert_eq!(
		own["predictions"].as_array().unwrap()[..],
		run["predictions"].as_array().unwrap()[..5]
	);
	assert_eq!(own["samples"], 5);

	// Refusals, by name, before anything runs.
	let refuse = |args: &[&std::ffi::OsStr]| {
		failure(
			concord()
				.args(["--json", "model", "run", "--local", "--cpu"])
				.args(args)
				.output()
				.unwrap(),
		)
	};
	let not_a_model = dir.path().join("not-a-model");
	std::fs::write(&not_a_model, b"GGUF and more").unwrap();
	assert!(refuse(&[not_a_model.as_os_str(), "--input".as_ref(), input.as_os_str()])
		.contains("not a model file"),);
	let partial = dir.path().join("partial.bin");
	std::fs::write(&partial, [0u8; 65]).unwrap();
	assert_eq!(
		refuse(&["digits".as_ref(), "--input".as_ref(), partial.as_os_str()]),
		"65 bytes of samples are not a whole number of samples of 64 bytes"
	);
	let bad_shift = dir.path().join("bad-shift.mlp");
	let mut bytes = digits::MODEL.to_vec();
	// Layer 1's shift follows the 28-byte header, its 64 × 64 weights and 64 biases.
	let at = 28 + 64 * 64 + 64 * 4;
	bytes[at..at + 4].copy_from_slice(&40u32.to_le_bytes());
	std::fs::write(&bad_shift, bytes).unwrap();
	let refused = refuse(&[bad_shift.as_os_str(), "--input".as_ref(), input.as_os_str()]);
	assert!(refused.contains("mlp-i8 layer 1 has shift 40, it must be in 0..=31"), "{refused}");
	for (shards, error) in [
		("0", "a workload needs at least one shard"),
		("1025", "1025 shards asked, a workload has at most 1024"),
	] {
		assert_eq!(
			refuse(&["digits".as_ref(), "--shards".as_ref(), shards.as_ref()]),
			format!("cannot split the workload: {error}")
		);
	}
	// On the network, refused before any node is asked (none listens on port 1).
	let network = |shards: &str| {
		let args = ["--json", "model", "run", "digits", "--shards", shards, "--key", "//Dave"];
		failure(concord().args(args).args(["--rpc", "ws://127.0.0.1:1"]).output().unwrap())
	};
	assert_eq!(
		network("17"),
		"17 shards would be 17 jobs open at once, and the chain lets a requester have 16: use at \
		 most 16 shards"
	);
	assert_eq!(
		network("2"),
		"a shard's input is 18420 bytes (the weights and its samples), over the 16384 bytes the \
		 chain carries inline: use more shards"
	);
	let endless = refuse(&["/dev/zero".as_ref(), "--input".as_ref(), input.as_os_str()]);
	assert!(endless.starts_with("/dev/zero is larger than"), "{endless}");
	let four_labels = dir.path().join("four.labels");
	std::fs::write(&four_labels, &labels[..4]).unwrap();
	assert_eq!(
		refuse(&[
			"digits".as_ref(),
			"--input".as_ref(),
			input.as_os_str(),
			"--labels".as_ref(),
			four_labels.as_os_str()
		]),
		"4 labels for 5 samples: give one byte per sample"
	);
}

/// The 360 test images across the dev chain's genesis providers in the fewest shards whose
/// inputs ride on chain (3 of 120 images), each shard a job
/// drawn, committed, revealed and attested: the logits fetched from the providers are the
/// contract's, the predictions and the aggregate root the local run's, the accuracy the
/// docs'.
#[tokio::test(flavor = "multi_thread")]
async fn the_digits_model_runs_across_the_dev_providers() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &["--provider", "//Alice"]);
	let _workers = start_workers(&rpc, dir.path());
	let (_, test) = digits::split().unwrap();
	let expected = forward_from_the_contract(digits::MODEL, &digits::samples(&test));
	let local = concord()
		.args(["--json", "model", "run", "digits", "--local", "--cpu", "--shards", "3"])
		.output()
		.unwrap();
	let local = json(succeed(local, "concord model run --local"));

	let logits = dir.path().join("logits");
	let mut run = concord();
	run.args(["--json", "model", "run", "digits", "--rpc", &rpc])
		.args(["--key", "//Dave", "--output"])
		.arg(&logits)
		.arg("--store")
		.arg(dir.path().join("dave-store"));
	let run =
		tokio::time::timeout(STAGE_TIMEOUT, tokio::task::spawn_blocking(move || run.output()))
			.await
			.unwrap_or_else(|_| panic!("the model run did not end in time\n{}", logs(dir.path())))
			.unwrap()
			.unwrap();
	let run = json(succeed(run, &format!("concord model run\n{}", logs(dir.path()))));
	assert_eq!(keys(&run), documented_fields("**`model run MODEL`**"), "docs/CLI-JSON.md");
	assert_eq!(run["device"], "network");
	assert!(std::fs::read(&logits).unwrap() == expected, "the network's logits are the contract's");
	for field in ["predictions", "correct", "aggregate_root", "result_hash", "weights_root"] {
		assert_eq!(run[field], local[field], "{field}: the network's and the local run's");
	}
	assert_eq!(run["correct"], documented_correct());

	// Every shard is a job of its own that a quorum of providers attested.
	let jobs: Vec<u64> =
		run["jobs"].as_array().unwrap().iter().map(|j| j.as_u64().unwrap()).collect();
	assert_eq!(jobs.len(), 3, "the fewest shards whose inputs fit 16 KiB");
	let client = Client::connect(&rpc).await.unwrap();
	let at = client.best_header().await.unwrap().hash();
	// Which model answered each shard: the chain's input hash is the weights section's and
	// the shard's 120 images', computed here from the model file as docs/MODELS.md lays it out.
	let samples = digits::samples(&test);
	for (shard, (job, hash)) in jobs.iter().zip(run["input_hashes"].as_array().unwrap()).enumerate()
	{
		let info = client.existing_job(*job, at).await.unwrap();
		let mut input = digits::MODEL[28..].to_vec();
		input.extend(&samples[shard * 120 * 64..(shard + 1) * 120 * 64]);
		let expected = sp_core::H256(sp_crypto_hashing::blake2_256(&input));
		assert_eq!(info.spec.input.hash, expected, "job {job}");
		assert_eq!(hash.as_str().unwrap(), format!("0x{}", hex::encode(expected)));
		assert!(matches!(info.phase, Phase::Attested { .. }), "job {job}: {info:?}");
		assert_eq!(info.spec.params[0], 120, "120 images a shard");
		let agreed = info.assignees.iter().filter(|a| a.outcome == Some(JobOutcome::Agreed));
		assert!(agreed.count() >= 2, "job {job}: a quorum of 3 agreed: {info:?}");
	}
}
