//! `concord provider ...`: register a provider and manage its record. The daemon that does
//! the work is `concord worker run`.

use super::{
	amount::amount,
	chain_args::{ChainArgs, NodeArgs},
	params, Output,
};
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use concord_kernels::{AdapterChoice, Executor, KernelId};
use concord_runtime::{Balance, RuntimeCall};
use concord_worker::chain::{names, AccountId, Client};
use concord_worker::report::{provider_json, provider_line};
use pallet_providers::{CapabilitiesInput, GpuBackend};

#[derive(Subcommand)]
pub enum ProviderCommand {
	/// Register the signing account as a provider, with a stake held from its balance.
	Register(RegisterArgs),
	/// Print the signing account's provider record.
	Status(ChainArgs),
	/// Print every registered provider, one a line.
	List(NodeArgs),
	/// Change the price or the endpoint (a new price reaches assignment after a delay).
	Update(UpdateArgs),
	/// Hold more of the balance as stake.
	BondExtra(BondExtraArgs),
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
	/// Where requesters fetch results: a libp2p address, e.g. /ip4/203.0.113.7/tcp/40333, and
	/// optionally, after a comma, the HTTP gateway for browsers, e.g.
	/// /ip4/203.0.113.7/tcp/40333,/ip4/203.0.113.7/tcp/41333/http.
	#[arg(long, value_parser = endpoint)]
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

#[derive(Args)]
pub struct UpdateArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// New price per work unit, in the smallest unit or e.g. 0.000001CORD.
	#[arg(long, value_parser = amount)]
	price: Option<Balance>,
	/// New endpoint (as `register` takes it).
	#[arg(long, value_parser = endpoint)]
	endpoint: Option<String>,
}

#[derive(Args)]
pub struct BondExtraArgs {
	#[command(flatten)]
	chain: ChainArgs,
	/// How much more to hold, e.g. 50CORD (or in the smallest unit).
	#[arg(long, value_parser = amount)]
	amount: Balance,
}

impl ProviderCommand {
	pub fn run(self, out: Output) -> anyhow::Result<()> {
		tokio::runtime::Runtime::new()?.block_on(async {
			let (chain, call) = match self {
				ProviderCommand::Register(args) => {
					let call = register_call(&args)?;
					(args.chain, call)
				}
				ProviderCommand::Status(chain) => {
					let account = chain.signer()?.account().clone();
					return status(&Client::connect(&chain.rpc).await?, &account, out, None).await;
				}
				ProviderCommand::List(node) => {
					return list(&Client::connect(&node.rpc).await?, out).await
				}
				ProviderCommand::Update(args) => {
					if args.price.is_none() && args.endpoint.is_none() {
						anyhow::bail!("nothing to update: pass --price and/or --endpoint");
					}
					let call = pallet_providers::Call::update {
						capabilities: None,
						endpoint: args.endpoint.map(String::into_bytes),
						price_per_work_unit: args.price,
					};
					(args.chain, call)
				}
				ProviderCommand::BondExtra(args) => {
					(args.chain, pallet_providers::Call::bond_extra { amount: args.amount })
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
			let events: Vec<String> = included
				.events
				.iter()
				.filter_map(|event| match event {
					concord_runtime::RuntimeEvent::Providers(event) => {
						Some(names::name(event).to_string())
					}
					_ => None,
				})
				.collect();
			status(&client, signer.account(), out, Some(events)).await
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

/// Prints the account's provider record; after a call, with the names of the events it
/// emitted.
async fn status(
	client: &Client,
	account: &AccountId,
	out: Output,
	events: Option<Vec<String>>,
) -> anyhow::Result<()> {
	let at = client.best_header().await?.hash();
	let (human, mut value) = match client.provider(account, at).await? {
		Some(info) => (provider_line(account, &info), provider_json(account, &info)),
		None => (
			format!("{account}: not a registered provider"),
			serde_json::json!({ "account": account.to_string(), "registered": false }),
		),
	};
	if let Some(events) = events {
		out.progress(format!("events: {}", events.join(", ")));
		value["events"] = serde_json::json!(events);
	}
	out.print(human, value);
	Ok(())
}

async fn list(client: &Client, out: Output) -> anyhow::Result<()> {
	let at = client.best_header().await?.hash();
	let providers = client.providers(at).await?;
	let mut lines: Vec<String> =
		providers.iter().map(|(account, info)| provider_line(account, info)).collect();
	lines.push(format!("{} providers", providers.len()));
	let records: Vec<_> =
		providers.iter().map(|(account, info)| provider_json(account, info)).collect();
	out.print(lines.join("\n"), serde_json::json!({ "providers": records }));
	Ok(())
}

/// An endpoint as `register` takes it: checked here, so a typo is not paid for on chain.
fn endpoint(text: &str) -> anyhow::Result<String> {
	concord_worker::blobs::Endpoint::parse(text)?.p2p()?;
	Ok(text.to_string())
}
