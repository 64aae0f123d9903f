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
/// process of its own, against any node).
#[derive(Debug, clap::Args)]
pub struct ProviderArgs {
	/// Also run the provider worker for this account, given as a secret URI (e.g. //Alice for
	/// the dev chain's provider): it computes the jobs the chain assigns to the account, and
	/// commits and reveals their results through this node.
	#[arg(long, value_name = "SURI")]
	pub provider: Option<String>,

	/// Where the provider worker keeps its commitments and results across restarts
	/// [default: <base path>/provider].
	#[arg(long, value_name = "DIR", requires = "provider")]
	pub provider_state_dir: Option<std::path::PathBuf>,

	/// Run the provider's kernels on the CPU reference instead of a GPU.
	#[arg(long, requires = "provider")]
	pub provider_cpu: bool,
}
