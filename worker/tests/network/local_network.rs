//! `scripts/network.sh`, as a newcomer runs it: four validators and twelve providers as separate
//! processes on loopback, a demo job of every kernel attested and fetched, and nothing left
//! running afterwards.

use std::process::Command;

/// Longer than the script needs (about a minute and a half on two cores): `timeout` stops it
/// with SIGTERM, and the script's exit trap stops what it started.
const LIMIT_S: &str = "400";

#[test]
fn the_network_script_runs_a_job_of_every_kernel_across_four_validators_and_stops() {
	let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/network.sh");
	let output = Command::new("timeout")
		.args([LIMIT_S, script])
		.env("CONCORD_SKIP_BUILD", "1")
		.output()
		.expect("running scripts/network.sh");
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "the script failed:\n{stdout}\n{stderr}");
	for kernel in concord_primitives::kernel::KernelId::ALL {
		let line = stdout
			.lines()
			.find(|line| line.trim_start().starts_with(&format!("{} ", kernel.name())))
			.unwrap_or_else(|| panic!("no result for {}:\n{stdout}\n{stderr}", kernel.name()));
		assert!(line.contains("= the CPU reference"), "{line}");
		assert!(line.contains("bytes fetched"), "{line}");
	}
	// Everything it started has stopped: its ports are free again.
	let providers = concord_runtime::genesis_config_presets::dev_topology().unwrap();
	let provider_ports = providers.iter().flat_map(|p| [p.p2p_port, p.http_port]);
	for port in [9944, 9945, 9946, 9947, 30333, 30336].into_iter().chain(provider_ports) {
		assert!(
			std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
			"port {port} is still open after the script ended"
		);
	}
}
