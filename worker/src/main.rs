//! `concord`: the Concord provider worker and command-line client.

mod cli;

use clap::Parser;

fn main() -> anyhow::Result<()> {
	cli::Cli::parse().run()
}
