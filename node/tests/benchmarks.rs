//! Runs every benchmark of the Concord pallets in the real runtime, once, so that a benchmark
//! that no longer runs (and so weights that can no longer be regenerated) fails the tests.
#![cfg(feature = "runtime-benchmarks")]

use std::process::Command;

/// Runs `pallet`'s benchmarks with the fewest steps and checks that each of `calls` ran.
fn run_benchmarks(pallet: &str, calls: &[&str]) {
	let output = Command::new(env!("CARGO_BIN_EXE_concord-node"))
		.args([
			"benchmark",
			"pallet",
			"--runtime",
			concord_runtime::WASM_BINARY_PATH.expect("the runtime's wasm was built"),
			"--genesis-builder=runtime",
			"--genesis-builder-preset=development",
			&format!("--pallet={pallet}"),
			"--extrinsic=*",
			"--steps=2",
			"--repeat=1",
		])
		.output()
		.expect("the node binary runs");
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "benchmarks failed:\n{stdout}\n{stderr}");
	for call in calls {
		assert!(
			stdout.contains(&format!("Extrinsic: \"{call}\"")),
			"benchmark {call} did not run:\n{stdout}"
		);
	}
}

#[test]
fn every_providers_benchmark_runs_in_the_runtime() {
	run_benchmarks(
		"pallet_providers",
		&["register", "update", "bond_extra", "go_offline", "go_online", "unregister", "withdraw"],
	);
}

#[test]
fn every_jobs_benchmark_runs_in_the_runtime() {
	run_benchmarks(
		"pallet_jobs",
		&[
			"submit",
			"cancel",
			"commit",
			"reveal",
			"decline",
			"decline_replaced",
			"decline_input_unavailable",
			"process_assignment",
			"process_verdict",
			"prune_job",
			"prioritize_duties",
		],
	);
}
