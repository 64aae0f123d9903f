//! `concord`: the Concord provider worker and command-line client.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
	init_logging();
	// Bad arguments are a failure like any other (status 1), not clap's status 2, which
	// says the chain refused.
	let cli = match cli::Cli::try_parse() {
		Ok(cli) => cli,
		Err(e) => {
			let _ = e.print();
			return std::process::ExitCode::from(if e.use_stderr() { 1 } else { 0 });
		}
	};
	let json = cli.json;
	let Err(e) = cli.run() else { return std::process::ExitCode::SUCCESS };
	let failure = cli::Failure::of(&e);
	if json {
		// With --json a failure is a document too, on stdout where scripts read the result.
		println!("{}", failure.json(&e));
	} else {
		eprintln!("Error: {e:#}");
	}
	std::process::ExitCode::from(failure.exit_status())
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
