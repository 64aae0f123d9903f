//! `concord provider ...`: register a provider and manage its record. The daemon that does
//! the work is `concord worker run`.

use super::{
	amount::amount,
	chain_args::{ChainArgs, NodeArgs},
	params,
};
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use concord_kernels::{AdapterChoice, Executor, KernelId};
use concord_runtime::{Balance, RuntimeCall};
use concord_worker::chain::{AccountId, Client};
use pallet_providers::{CapabilitiesInput, GpuBackend};

#[derive(Subcommand)]
pub enum ProviderCommand {
	/// Register the signing account as a provider, with a stake held from its balance.
	Register(RegisterArgs),
	/// Print the signing account's provider record.
	Status(ChainArgs),
	/// Print every registered provider, one a line.
	List(NodeArgs),
	/// Stop taking new jobs (jobs in progress still have to be finished).
	GoOffline(ChainArgs),
	/// Take new jobs again.
	GoOnline(ChainArgs),
	/// Start leaving: no new jobs; the stake can be withdrawn after the unbonding period.
	Unregister(ChainArgs),
	/// Release the stake and remove the record, once unbonding is over and no job is open.
	Withdraw(ChainArgs),
}

#[derive(Args)]
pub struct RegisterArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// Stake to hold, e.g. 200CORD (or in the smallest unit).
	#[arg(long, value_parser = amount)]
	stake: Balance,
	/// Price per work unit, in the smallest unit (or e.g. 0.000001CORD).
	#[arg(long, value_parser = amount)]
	price: Balance,
	/// Kernels to take jobs of, comma-separated; all of them by default.
	#[arg(long, value_delimiter = ',', value_parser = params::kernel)]
	kernels: Vec<KernelId>,
	/// The libp2p address requesters fetch results from, e.g. /ip4/203.0.113.7/tcp/40333.
	#[arg(long)]
	endpoint: String,
	/// Device memory in MiB.
	#[arg(long)]
	memory_mib: u32,
	/// Jobs taken at once; the chain never assigns more.
	#[arg(long, default_value_t = 4)]
	max_jobs: u32,
	/// Register as a CPU-reference provider instead of describing the GPU wgpu picks
	/// (`WGPU_BACKEND`, `CONCORD_ADAPTER`).
	#[arg(long)]
	cpu: bool,
}

impl ProviderCommand {
	pub fn run(self) -> anyhow::Result<()> {
		tokio::runtime::Runtime::new()?.block_on(async {
			let (chain, call) = match self {
				ProviderCommand::Register(args) => {
					let call = register_call(&args)?;
					(args.chain, call)
				}
				ProviderCommand::Status(chain) => {
					let account = chain.signer()?.account().clone();
					return status(&Client::connect(&chain.rpc).await?, &account).await;
				}
				ProviderCommand::List(node) => {
					return list(&Client::connect(&node.rpc).await?).await
				}
				ProviderCommand::GoOffline(chain) => (chain, pallet_providers::Call::go_offline {}),
				ProviderCommand::GoOnline(chain) => (chain, pallet_providers::Call::go_online {}),
				ProviderCommand::Unregister(chain) => {
					(chain, pallet_providers::Call::unregister {})
				}
				ProviderCommand::Withdraw(chain) => (chain, pallet_providers::Call::withdraw {}),
			};
			let signer = chain.signer()?;
			let client = Client::connect(&chain.rpc).await?;
			let included = client.submit(&signer, RuntimeCall::Providers(call)).await?;
			for event in included.events {
				if let concord_runtime::RuntimeEvent::Providers(event) = event {
					eprintln!("{event:?}");
				}
			}
			status(&client, signer.account()).await
		})
	}
}

/// The `register` call, describing the device the worker will compute on.
fn register_call(
	args: &RegisterArgs,
) -> anyhow::Result<pallet_providers::Call<concord_runtime::Runtime>> {
	let (backend, device_name) = if args.cpu {
		(GpuBackend::Cpu, "CPU reference".to_string())
	} else {
		let executor = Executor::new(AdapterChoice::from_env())
			.context("no GPU to describe (pass --cpu to register the CPU reference)")?;
		let report = executor.adapter();
		let backend = if report.device_type == "Cpu" {
			GpuBackend::Cpu
		} else {
			GpuBackend::from_name(&report.backend.to_lowercase())
				.ok_or_else(|| anyhow!("unknown backend {}", report.backend))?
		};
		(backend, report.name.clone())
	};
	let kernels =
		if args.kernels.is_empty() { KernelId::ALL.to_vec() } else { args.kernels.clone() };
	Ok(pallet_providers::Call::register {
		stake: args.stake,
		capabilities: CapabilitiesInput {
			backend,
			device_name: device_name.into_bytes(),
			memory_mib: args.memory_mib,
			kernels,
			max_concurrent_jobs: args.max_jobs,
		},
		endpoint: args.endpoint.clone().into_bytes(),
		price_per_work_unit: args.price,
	})
}

async fn status(client: &Client, account: &AccountId) -> anyhow::Result<()> {
	let at = client.best_header().await?.hash();
	match client.provider(account, at).await? {
		Some(info) => println!("{}", describe(account, &info)),
		None => println!("{account}: not a registered provider"),
	}
	Ok(())
}

async fn list(client: &Client) -> anyhow::Result<()> {
	let at = client.best_header().await?.hash();
	let providers = client.providers(at).await?;
	for (account, info) in &providers {
		println!("{}", describe(account, info));
	}
	eprintln!("{} providers", providers.len());
	Ok(())
}

/// One provider's record on one line.
fn describe(account: &AccountId, info: &concord_worker::chain::ProviderInfo) -> String {
	format!(
		"{account}: {:?}, stake {}, price {} per work unit, {} of {} jobs in progress, kernels {}, \
		 reputation {:?}",
		info.status,
		info.stake,
		info.price_per_work_unit,
		info.active_jobs,
		info.capabilities.max_concurrent_jobs,
		info.capabilities.kernels.iter().map(|k| k.name()).collect::<Vec<_>>().join(","),
		info.reputation,
	)
}
