//! Dispatches the command line to the node service or to a maintenance subcommand.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
use concord_runtime::opaque::Block;
use frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sp_runtime::traits::Block as BlockT;
use std::sync::Arc;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Concord Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/concord-compute/concord/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development_chain_spec()?),
			"" | "local" => Box::new(chain_spec::local_chain_spec()?),
			"network" => Box::new(chain_spec::network_chain_spec()?),
			path => Box::new(chain_spec::ChainSpec::from_json_file(path.into())?),
		})
	}
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_command_line();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		}
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		}
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		}
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(
					|client: Arc<service::FullClient>,
					 backend: Arc<service::FullBackend>,
					 blocks| {
						sc_consensus_babe::revert(client.clone(), backend, blocks)?;
						sc_consensus_grandpa::revert(client, blocks)?;
						Ok(())
					},
				);
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		}
		Some(Subcommand::Benchmark(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| match cmd {
				BenchmarkCmd::Pallet(cmd) => {
					if !cfg!(feature = "runtime-benchmarks") {
						return Err("Runtime benchmarks are not compiled in. Build the node with \
							`--features runtime-benchmarks` (scripts/test.sh does)."
							.into());
					}
					cmd.run_with_spec::<sp_runtime::traits::HashingFor<Block>, ()>(Some(
						config.chain_spec,
					))
				}
				BenchmarkCmd::Machine(cmd) => {
					cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone())
				}
				_ => Err("Only `benchmark pallet` and `benchmark machine` are supported.".into()),
			})
		}
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		}
		None => {
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				let provider = provider_config(&cli.provider, &config)?;
				let task_manager = match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<Block, <Block as BlockT>::Hash>,
					>(config)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(config)
							.map_err(sc_cli::Error::Service)
					}
				}?;
				if let Some(provider) = provider {
					// Not essential: the worker waits out what it cannot do (an unreachable
					// node, a runtime it cannot sign for) and never ends, and a validator's
					// block production must not depend on it.
					task_manager.spawn_handle().spawn("concord-provider", None, async move {
						match concord_worker::provider::run(provider).await {
							Err(e) => {
								log::error!(target: "concord-provider", "the provider worker stopped: {e:#}")
							}
						}
					});
				}
				Ok(task_manager)
			})
		}
	}
}

/// The in-process provider worker's settings, if `--provider` or `--provider-keystore-path` is
/// given: it talks to this node's own JSON-RPC server, like any client, and keeps its state in
/// `<base path>/provider` unless told otherwise. The GPU is opened here, so that a missing one
/// stops the node at start rather than later.
fn provider_config(
	args: &crate::cli::ProviderArgs,
	config: &sc_service::Configuration,
) -> sc_cli::Result<Option<concord_worker::provider::Config>> {
	let suri = match (&args.provider, args.keystore.suri()) {
		(Some(uri), _) => uri.clone(),
		(None, Some(suri)) => suri.map_err(refused)?,
		(None, None) => return Ok(None),
	};
	let signer = concord_worker::chain::Signer::from_uri(&suri).map_err(refused)?;
	let port = match &config.rpc.addr {
		Some(endpoints) if !endpoints.is_empty() => endpoints[0].listen_addr.port(),
		_ => config.rpc.port,
	};
	let rpc = format!("ws://127.0.0.1:{port}");
	let state_dir = config.base_path.path().join("provider");
	args.options.clone().config(rpc, signer, Some(state_dir)).map(Some).map_err(refused)
}

/// A provider setting the node cannot start with.
fn refused(error: impl std::fmt::Display) -> sc_cli::Error {
	sc_cli::Error::Input(format!("--provider: {error:#}"))
}
