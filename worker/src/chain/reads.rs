//! Typed reads of chain state: runtime API calls (`JobsApi`) and the few storage items that
//! no runtime API serves.

use super::{AccountId, BlockNumber, Client, Hash, JobId, JobInfo};
use codec::Encode;
use concord_primitives::kernel::KernelId;
use concord_runtime::{Balance, Runtime};
use pallet_jobs::{NoAssignment, PendingDuty, Quote, QuoteError};
use pallet_providers::ProviderInfoOf;

/// A provider's record, as the registry stores it.
pub type ProviderInfo = ProviderInfoOf<Runtime>;

impl Client {
	/// Job `id` at block `at`, or `None` if there is no such job (or it was pruned).
	pub async fn job(&self, id: JobId, at: Hash) -> anyhow::Result<Option<JobInfo>> {
		self.runtime_call("JobsApi_job", id.encode(), at).await
	}

	/// Job `id` at block `at`, or [`NoSuchJob`].
	pub async fn existing_job(&self, id: JobId, at: Hash) -> anyhow::Result<JobInfo> {
		self.job(id, at).await?.ok_or_else(|| NoSuchJob(id).into())
	}

	/// The commits and reveals `provider` owes at block `at`.
	pub async fn duties(
		&self,
		provider: &AccountId,
		at: Hash,
	) -> anyhow::Result<Vec<PendingDuty<BlockNumber>>> {
		self.runtime_call("JobsApi_duties", provider.encode(), at).await
	}

	/// Why no provider takes job `id`, while it waits for providers or after it failed for
	/// lack of them.
	pub async fn why_unassigned(
		&self,
		id: JobId,
		at: Hash,
	) -> anyhow::Result<Option<NoAssignment<Balance>>> {
		self.runtime_call("JobsApi_why_unassigned", id.encode(), at).await
	}

	/// What a job of `kernel` with `params` on `replicas` providers would cost at block `at`,
	/// and how safe a result attested by `quorum` of them would be.
	pub async fn quote(
		&self,
		kernel: KernelId,
		params: Vec<u32>,
		replicas: u32,
		quorum: u32,
		at: Hash,
	) -> anyhow::Result<Result<Quote<Balance>, QuoteError>> {
		self.runtime_call("JobsApi_quote", (kernel, params, replicas, quorum).encode(), at).await
	}

	/// The inline input of job `id`, if it has one.
	pub async fn job_input(&self, id: JobId, at: Hash) -> anyhow::Result<Option<Vec<u8>>> {
		self.storage(pallet_jobs::JobInputs::<Runtime>::hashed_key_for(id), at).await
	}

	/// The open jobs at block `at`, oldest first.
	pub async fn open_jobs(&self, at: Hash) -> anyhow::Result<Vec<JobId>> {
		self.runtime_call("JobsApi_open_jobs", Vec::new(), at).await
	}

	/// Every registered provider at block `at`, with its record.
	pub async fn providers(&self, at: Hash) -> anyhow::Result<Vec<(AccountId, ProviderInfo)>> {
		use codec::Decode;
		let prefix = pallet_providers::Providers::<Runtime>::map_storage_final_prefix();
		let mut providers = Vec::new();
		for key in self.keys_under(&prefix, at).await? {
			// The key ends with the account, after its 16-byte blake2-128 (`Blake2_128Concat`).
			let account = key
				.get(prefix.len() + 16..)
				.and_then(|mut tail| AccountId::decode(&mut tail).ok())
				.ok_or_else(|| anyhow::anyhow!("a provider key without an account"))?;
			if let Some(info) = self.storage(key.0, at).await? {
				providers.push((account, info));
			}
		}
		Ok(providers)
	}

	/// `account`'s provider record, if it is registered.
	pub async fn provider(
		&self,
		account: &AccountId,
		at: Hash,
	) -> anyhow::Result<Option<ProviderInfo>> {
		self.storage(pallet_providers::Providers::<Runtime>::hashed_key_for(account), at).await
	}
}

/// The chain has no job of this number: never submitted, or pruned after it ended.
#[derive(Debug, thiserror::Error)]
#[error("the chain has no job {0} (never submitted, or pruned)")]
pub struct NoSuchJob(pub JobId);
