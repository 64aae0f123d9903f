//! The dashboard (ui/) in a real browser against a dev chain laid out as `scripts/run-dev.sh`
//! lays it out: Alice's provider in the node, the other five as `concord worker run`, each
//! serving outputs over libp2p and HTTP on the ports the genesis registered. The browser part
//! is ui/tests/dashboard.test.mjs (Playwright driving Debian's Chromium).

use crate::common::*;
use std::{path::Path, process::Command};

/// The rules the dashboard shares with the worker (grants, the gateway in an endpoint,
/// amounts, params, the default quorum) read the same vectors on both sides (`tests/vectors/`): the worker's unit tests, and this run of
/// ui/tests/vectors.test.mjs, which needs no chain.
#[test]
fn the_ui_reads_the_shared_vectors_as_the_worker_does() {
	let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui");
	let output = Command::new("node")
		.args(["--test", "tests/vectors.test.mjs"])
		.current_dir(&ui)
		.output()
		.expect("Node.js runs (scripts/setup.sh installs it)");
	let report = String::from_utf8_lossy(&output.stdout);
	assert!(output.status.success(), "{report}\n{}", String::from_utf8_lossy(&output.stderr));
	assert!(report.contains("# fail 0") && report.contains("# pass 6"), "{report}");
}

#[test]
fn the_dashboard_drives_a_dev_chain_in_a_browser() {
	let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui");
	assert!(
		ui.join("dist/index.html").is_file() && ui.join("node_modules/playwright-core").is_dir(),
		"the dashboard is not built: scripts/build.sh builds it (after scripts/setup.sh)"
	);
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &["--provider", "//Alice"]);
	let _workers: Vec<Process> = start_workers(&rpc, dir.path());
	let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
	let output = Command::new("node")
		.args(["--test", "--test-concurrency=1", "tests/"])
		.current_dir(&ui)
		.env("CONCORD_RPC", &rpc)
		.env("CONCORD_SCREENSHOTS", &screenshots)
		.output()
		.expect("Node.js runs (scripts/setup.sh installs it)");
	let report = String::from_utf8_lossy(&output.stdout);
	println!("{report}\n{}", String::from_utf8_lossy(&output.stderr));
	println!("screenshots in {}", screenshots.display());
	assert!(output.status.success(), "the dashboard tests failed\n{}", logs(dir.path()));
	assert!(report.contains("# fail 0"), "the report shows no failure");
	assert!(!report.contains("# pass 0"), "the report shows tests that passed");
}
