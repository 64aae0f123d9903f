//! The Concord node.

// `sc_cli::Error` is polkadot-sdk's, returned by every subcommand: boxing it would only hide it.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
