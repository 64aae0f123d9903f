//! `concord`: the Concord provider worker and command-line client.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
	init_logging();
	let cli = cli::Cli::parse();
	let json = cli.json;
	match cli.run() {
		Ok(()) => std::process::ExitCode::SUCCESS,
		// With --json a failure is a document too, on stdout where scripts read the result.
		Err(e) if json => {
			println!("{}", serde_json::json!({ "error": format!("{e:#}") }));
			std::process::ExitCode::FAILURE
		}
		Err(e) => {
			eprintln!("Error: {e:#}");
			std::process::ExitCode::FAILURE
		}
	}
}

/// Log lines (the provider daemon's, libp2p's) go to standard error, filtered by `RUST_LOG`
/// (`info`, with libp2p's per-connection chatter at `warn`, when it is not set), as the
/// node's `-l` filters them inside `concord-node`.
fn init_logging() {
	use std::io::IsTerminal;
	use tracing_subscriber::EnvFilter;
	let filter = EnvFilter::try_from_default_env()
		.unwrap_or_else(|_| EnvFilter::new("info,libp2p_swarm=warn"));
	let _ = tracing_subscriber::fmt()
		.with_env_filter(filter)
		.with_writer(std::io::stderr)
		.with_ansi(std::io::stderr().is_terminal())
		.try_init();
}
