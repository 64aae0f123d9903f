//! Runs the @polkadot/api end-to-end tests (tests/polkadot-js) against this build's node.
//!
//! They start a real `concord-node --dev`, connect the client that Polkadot.js Apps uses, and
//! check block production and finality, chain properties, the provider registry, and that bad
//! extrinsics fail with named errors and move no funds.

use std::{path::Path, process::Command};

#[test]
fn polkadot_js_client_drives_a_dev_node() {
	let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/polkadot-js");
	assert!(
		tests.join("node_modules/@polkadot/api").is_dir(),
		"@polkadot/api is not installed: run `npm ci` in tests/polkadot-js (scripts/test.sh does)"
	);
	let output = Command::new("node")
		.args(["--test", "--test-concurrency=1"])
		.current_dir(&tests)
		.env("CONCORD_NODE", env!("CARGO_BIN_EXE_concord-node"))
		.output()
		.expect("Node.js runs (scripts/setup.sh installs it)");
	let report = String::from_utf8_lossy(&output.stdout);
	println!("{report}\n{}", String::from_utf8_lossy(&output.stderr));
	assert!(output.status.success(), "the @polkadot/api tests failed");
	assert!(report.contains("# fail 0"), "the report shows no failure");
	assert!(!report.contains("# pass 0"), "the report shows tests that passed");
}
