//! The commands that need no chain, as scripts read them (`--json`).

use crate::common::*;
use concord_kernels::{cpu, random, result_hash, workload};
use concord_primitives::{
	kernel::{validate_params, KernelId},
	workload::aggregate,
};
use std::process::Command;

#[test]
fn kernel_commands_print_one_json_document() {
	let run = concord()
		.args(["--json", "kernel", "run", "--kernel", "sort-u32", "--params", "64"])
		.args(["--random-input", "3", "--cpu"])
		.output()
		.unwrap();
	let run = json(succeed(run, "concord kernel run"));
	let shape = validate_params(KernelId::SortU32, &[64]).unwrap();
	let expected = cpu::run(KernelId::SortU32, &[64], &random::input(&shape, 3)).unwrap();
	assert_eq!(run["result_hash"], format!("0x{}", hex::encode(result_hash(&expected))), "{run}");
	assert_eq!(run["output_bytes"], expected.len());
	assert_eq!(run["work_units"], shape.work_units());
	assert_eq!(keys(&run), documented_fields("**`kernel run`**"), "docs/CLI-JSON.md");

	let bench = concord()
		.args(["--json", "kernel", "bench", "--kernel", "sort-u32", "--seconds", "0"])
		.output()
		.unwrap();
	let bench = json(succeed(bench, "concord kernel bench"));
	assert_eq!(bench["kernels"][0]["kernel"], "sort-u32", "{bench}");
	assert_eq!(bench["kernels"][0]["outputs_match"], true);

	let adapters = concord().args(["--json", "kernel", "adapters"]).output().unwrap();
	let adapters = json(succeed(adapters, "concord kernel adapters"));
	assert!(adapters["adapters"].is_array(), "{adapters}");

	// A refusal is a document too, with the reason.
	let refused = concord()
		.args(["--json", "kernel", "run", "--kernel", "sort-u32", "--params", "0", "--cpu"])
		.output()
		.unwrap();
	assert!(failure(refused).contains("sort-u32"), "names the kernel whose params are wrong");
	let short_input = tempfile::NamedTempFile::new().unwrap();
	std::fs::write(short_input.path(), [1, 2, 3]).unwrap();
	let refused = concord()
		.args(["--json", "kernel", "run", "--kernel", "sort-u32", "--params", "4", "--cpu"])
		.arg("--input")
		.arg(short_input.path())
		.output()
		.unwrap();
	// Said once: the contract's error is the message, not also a source printed after it.
	assert_eq!(failure(refused), "invalid input: input is 3 bytes but the params imply 16 bytes");
}

/// A workload run shard by shard on the GPU assembles the same bytes as the job run whole, and
/// its aggregate root is the one the split rule gives for the whole run's output.
#[test]
fn a_workload_run_locally_equals_the_job_run_whole() {
	let dir = tempfile::tempdir().unwrap();
	let workloads: [(KernelId, &str, &[&str], u32); 2] = [
		// A 2048x2048 window of the Mandelbrot set, 16 row bands.
		(KernelId::MandelbrotQ12, "2048,2048,48,-8192,-6144,6", &[], 16),
		// 300 rows of A split 7 ways, B shared: bands of 42 and 43 rows.
		(KernelId::MatmulI8, "300,96,40", &["--random-input", "11"], 7),
	];
	for (kernel, params, input, shards) in workloads {
		let whole_path = dir.path().join(format!("{kernel}.whole"));
		let whole = concord()
			.args(["--json", "kernel", "run", "--kernel", kernel.name(), "--params", params])
			.args(input)
			.arg("--output")
			.arg(&whole_path)
			.output()
			.unwrap();
		let whole = json(succeed(whole, "concord kernel run"));
		let split = concord()
			.args(["--json", "workload", "run", "--local", "--kernel", kernel.name()])
			.args(["--params", params, "--shards", &shards.to_string()])
			.args(input)
			.output()
			.unwrap();
		let split = json(succeed(split, "concord workload run --local"));
		assert_eq!(split["result_hash"], whole["result_hash"], "{kernel}: {split}");
		assert_eq!(split["shards"].as_array().unwrap().len(), shards as usize);
		let documented = documented_fields("**`workload run --local`**");
		assert_eq!(keys(&split), documented, "docs/CLI-JSON.md");

		let output = std::fs::read(&whole_path).unwrap();
		let params: Vec<u32> =
			params.split(',').map(|p| p.parse::<i32>().unwrap() as u32).collect();
		let leaves = workload::leaves(kernel, &params, shards, &output).unwrap();
		let root = aggregate::root(kernel, &params, &leaves).unwrap();
		assert_eq!(split["aggregate_root"], format!("0x{}", hex::encode(root)), "{kernel}");
	}

	// A split the kernel does not allow is refused, by name.
	let refused = concord()
		.args(["--json", "workload", "run", "--local", "--kernel", "sort-u32", "--params", "64"])
		.args(["--random-input", "1", "--shards", "2", "--cpu"])
		.output()
		.unwrap();
	assert_eq!(
		failure(refused),
		"cannot split the workload: sort-u32 runs whole (its output is not a concatenation of \
		 its parts'): use 1 shard"
	);
}

/// Every provider option of `concord worker run` is one of `concord-node` under a `provider-`
/// name, and the node has no provider option the worker lacks.
#[test]
fn the_node_and_the_worker_take_the_same_provider_options() {
	let help = |output: std::process::Output| -> Vec<String> {
		let text = succeed(output, "--help");
		// Options are the lines that begin with one (`--cpu`, or `-l, --log <LOG>`); prose
		// that names an option elsewhere is not one.
		let mut longs: Vec<String> = text
			.lines()
			.map(str::trim_start)
			.map(|line| {
				if line.starts_with('-') && line.get(2..4) == Some(", ") {
					&line[4..]
				} else {
					line
				}
			})
			.filter_map(|line| line.strip_prefix("--"))
			.filter_map(|line| line.split([' ', '=', '[', '<']).next())
			.filter(|name| !name.is_empty())
			.map(str::to_string)
			.collect();
		longs.sort();
		longs.dedup();
		longs
	};
	let worker = help(concord().args(["worker", "run", "--help"]).output().unwrap());
	let node = help(Command::new(node_binary()).arg("--help").output().unwrap());
	// The worker's own: which node, and which key (the node's `--provider SURI`); and every
	// command's.
	let own = ["rpc", "key", "help", "json"];
	let worker: Vec<String> = worker.into_iter().filter(|o| !own.contains(&o.as_str())).collect();
	let node: Vec<String> =
		node.iter().filter_map(|o| o.strip_prefix("provider-").map(str::to_string)).collect();
	assert!(worker.contains(&"keep-results".to_string()), "{worker:?}");
	assert_eq!(node, worker, "the node's --provider-* options against the worker's");
	// The node has a default state directory; a worker must be given one.
	let missing = concord().args(["worker", "run", "--key", "//Alice"]).output().unwrap();
	let said = String::from_utf8_lossy(&missing.stderr);
	assert!(!missing.status.success() && said.contains("--state-dir <DIR>"), "{said}");
}

#[test]
fn keys_are_kept_as_substrate_tools_keep_them() {
	let dir = tempfile::tempdir().unwrap();
	let keystore = dir.path().join("keystore");
	let list = || {
		let listed = concord()
			.args(["--json", "key", "list", "--keystore-path"])
			.arg(&keystore)
			.output()
			.unwrap();
		json(succeed(listed, "concord key list"))["accounts"].clone()
	};
	assert_eq!(list(), serde_json::json!([]));
	// What the node's `key insert` keeps, `concord` finds, and the other way round.
	insert_with_node(&keystore, "//Dave");
	assert_eq!(list(), serde_json::json!([account("Dave").to_string()]));
	let again = concord()
		.args(["--json", "key", "insert", "--suri", "//Dave", "--keystore-path"])
		.arg(&keystore)
		.output()
		.unwrap();
	let again = json(succeed(again, "concord key insert"));
	assert_eq!(again["account"], account("Dave").to_string());
	assert_eq!(list(), serde_json::json!([account("Dave").to_string()]), "the same key, once");
	let generated = concord()
		.args(["--json", "key", "generate", "--keystore-path"])
		.arg(&keystore)
		.output()
		.unwrap();
	let generated = json(succeed(generated, "concord key generate"));
	let phrase = generated["secret_phrase"].as_str().unwrap();
	assert_eq!(phrase.split(' ').count(), 12);
	let mut accounts: Vec<String> = serde_json::from_value(list()).unwrap();
	accounts.sort();
	let mut expected =
		vec![account("Dave").to_string(), generated["account"].as_str().unwrap().to_string()];
	expected.sort();
	assert_eq!(accounts, expected);
	let inspected = std::process::Command::new(node_binary())
		.args(["key", "inspect", "--scheme", "sr25519", phrase])
		.output()
		.unwrap();
	let inspected = succeed(inspected, "concord-node key inspect");
	assert!(inspected.contains(generated["account"].as_str().unwrap()), "{inspected}");
}
