//! Providers registered in the genesis block, as written in a chain spec's JSON.

use crate::{pallet::*, types::*};
use alloc::{string::String, vec::Vec};
use concord_primitives::kernel::KernelId;

/// One provider of a genesis preset. Text fields are plain strings so that the JSON reads like
/// what a person would type: `"kernels": ["matmul-i8", "sha256-batch"]`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisProvider<AccountId, Balance> {
	pub account: AccountId,
	pub stake: Balance,
	/// `vulkan`, `metal`, `dx12` or `cpu`.
	pub backend: String,
	pub device_name: String,
	pub memory_mib: u32,
	/// Kernel names as in KERNELS.md.
	pub kernels: Vec<String>,
	pub max_concurrent_jobs: u32,
	pub endpoint: String,
	pub price_per_work_unit: Balance,
}

/// Registers `provider` exactly as the `register` call would. A preset that could not register
/// (unknown kernel, too little balance, ...) is a broken chain spec: building genesis fails
/// with the reason rather than starting a chain without the provider.
pub(crate) fn register<T: Config>(provider: &GenesisProvider<T::AccountId, BalanceOf<T>>) {
	let backend = GpuBackend::from_name(&provider.backend)
		.unwrap_or_else(|| panic!("genesis provider: unknown backend {:?}", provider.backend));
	let kernels = provider
		.kernels
		.iter()
		.map(|name| {
			KernelId::from_name(name)
				.unwrap_or_else(|| panic!("genesis provider: unknown kernel {name:?}"))
		})
		.collect();
	let capabilities = CapabilitiesInput {
		backend,
		device_name: provider.device_name.as_bytes().to_vec(),
		memory_mib: provider.memory_mib,
		kernels,
		max_concurrent_jobs: provider.max_concurrent_jobs,
	};
	Pallet::<T>::do_register(
		provider.account.clone(),
		provider.stake,
		capabilities,
		provider.endpoint.as_bytes().to_vec(),
		provider.price_per_work_unit,
	)
	.unwrap_or_else(|e| panic!("genesis provider could not register: {e:?}"));
	Pallet::<T>::put_terms_in_force(&provider.account);
}
