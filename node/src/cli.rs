//! The `concord-node` command line: Substrate's run command and maintenance subcommands.

/// Subcommands besides running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management (generate, inspect, insert keys into the keystore).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Write a chain specification (`dev`, `local`, `network` or a file) as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Runtime benchmarks (`benchmark pallet` generates the weights). Needs a node built with
	/// `--features runtime-benchmarks`.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// `concord-node [SUBCOMMAND] [OPTIONS]`.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	#[clap(flatten)]
	pub provider: ProviderArgs,
}

/// Running the provider worker inside the node (`concord worker run` does the same in a
/// process of its own, against any node). Its options are the worker's, declared once in
/// `concord_worker::provider`, each renamed `--provider-<name>` by [`Cli::from_command_line`].
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Provider worker")]
pub struct ProviderArgs {
	/// Also run the provider worker for this account, given as a secret URI (e.g. //Alice for
	/// the dev chain's provider), or from `--provider-keystore-path`: it computes the jobs the
	/// chain assigns to the account, and commits and reveals their results through this node.
	#[arg(long, value_name = "SURI", conflicts_with = "signing_keystore_path")]
	pub provider: Option<String>,

	#[command(flatten)]
	pub keystore: concord_worker::chain::KeystoreArgs,

	#[command(flatten)]
	pub options: concord_worker::provider::ProviderOptions,
}

/// The arguments or group any other provider option needs: a key to sign with.
const PROVIDER_KEY: &str = "provider_key";

impl Cli {
	/// The command line, parsed as `SubstrateCli::from_args` parses it, with the provider
	/// options under their node names (`--provider-cpu`), each needing `--provider` or
	/// `--provider-keystore-path`.
	pub fn from_command_line() -> Cli {
		use clap::{CommandFactory, FromArgMatches};
		use sc_cli::SubstrateCli;
		let key = clap::ArgGroup::new(PROVIDER_KEY).args(["provider", "signing_keystore_path"]);
		let command = Cli::command().group(key);
		let command =
			concord_worker::provider::ProviderOptions::prefixed(command, "provider-", PROVIDER_KEY);
		let matches = <Cli as SubstrateCli>::setup_command(command).get_matches();
		Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
	}
}
