//! The commands that need no chain, as scripts read them (`--json`).

use crate::common::*;
use concord_kernels::{cpu, random, result_hash};
use concord_primitives::kernel::{validate_params, KernelId};

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
