//! The node's JSON-RPC methods that the client uses, with their JSON turned into runtime types.

use super::{Client, Hash, Header};
use anyhow::{anyhow, bail, Context};
use codec::Decode;
use jsonrpsee::{
	core::client::{ClientT, Subscription, SubscriptionClientT},
	rpc_params,
	ws_client::WsClientBuilder,
};
use serde_json::Value;

impl Client {
	/// Connects to the node at `url` (e.g. `ws://127.0.0.1:9944`) and checks that its runtime
	/// takes transactions in the format this build encodes.
	pub async fn connect(url: &str) -> anyhow::Result<Client> {
		let rpc = WsClientBuilder::default()
			.max_request_size(64 << 20)
			.max_response_size(64 << 20)
			.build(url)
			.await
			.with_context(|| format!("connecting to the node at {url}"))?;
		let genesis: Hash = rpc
			.request("chain_getBlockHash", rpc_params![0])
			.await
			.context("reading the genesis hash")?;
		let client = Client { rpc, genesis };
		client.signing_version().await?;
		Ok(client)
	}

	pub fn genesis(&self) -> Hash {
		self.genesis
	}

	/// The `(spec_version, transaction_version)` to sign with: the node's current ones, so that
	/// a runtime upgrade that keeps the transaction format (same `transaction_version`) does
	/// not stop anyone signing. Fails with [`super::VersionMismatch`] when the format changed.
	pub async fn signing_version(&self) -> anyhow::Result<(u32, u32)> {
		let version: Value = self
			.rpc
			.request("state_getRuntimeVersion", rpc_params![])
			.await
			.context("reading the runtime version")?;
		let field = |name: &str| {
			version[name]
				.as_u64()
				.and_then(|v| u32::try_from(v).ok())
				.ok_or_else(|| anyhow!("the node's runtime version has no {name}"))
		};
		let node = (field("specVersion")?, field("transactionVersion")?);
		super::compatible(node)?;
		Ok(node)
	}

	/// New best blocks, as they are imported.
	pub async fn best_heads(&self) -> anyhow::Result<Subscription<Header>> {
		self.rpc
			.subscribe("chain_subscribeNewHeads", rpc_params![], "chain_unsubscribeNewHeads")
			.await
			.context("subscribing to new blocks")
	}

	/// Returns once a best block after the current one is imported, or fails after
	/// [`NEW_BLOCK_TIMEOUT`] without one.
	pub(super) async fn next_best_head(&self) -> anyhow::Result<()> {
		let now = self.best_header().await?.number;
		let mut heads = self.best_heads().await?;
		let next = async {
			while let Some(head) = heads.next().await {
				if head.context("following new blocks")?.number > now {
					return Ok(());
				}
			}
			Err(anyhow!("the node stopped sending new blocks"))
		};
		tokio::time::timeout(NEW_BLOCK_TIMEOUT, next)
			.await
			.map_err(|_| anyhow!("no new block in {} s", NEW_BLOCK_TIMEOUT.as_secs()))?
	}

	/// The header of the latest block GRANDPA finalized: it can no longer be re-orged away.
	pub async fn finalized_header(&self) -> anyhow::Result<Header> {
		let hash: Hash = self
			.rpc
			.request("chain_getFinalizedHead", rpc_params![])
			.await
			.context("reading the finalized head")?;
		self.header(hash).await
	}

	/// Waits until GRANDPA finalizes block `block`: `Ok(true)` once it is final, `Ok(false)`
	/// if a re-org took it off the chain (the finalized chain holds another block at its
	/// height), an error if finality has not reached it within two minutes.
	pub async fn finality_of(&self, block: Hash) -> anyhow::Result<bool> {
		let number = self.header(block).await?.number;
		let mut heads = self.best_heads().await?;
		let wait = async {
			loop {
				if self.finalized_header().await?.number >= number {
					return Ok(self.block_hash(number).await? == Some(block));
				}
				match heads.next().await {
					Some(head) => drop(head.context("following new blocks")?),
					None => bail!("the node stopped sending new blocks"),
				}
			}
		};
		tokio::time::timeout(FINALITY_TIMEOUT, wait).await.map_err(|_| {
			anyhow!("block {number} was not finalized in {} s", FINALITY_TIMEOUT.as_secs())
		})?
	}

	/// The hash of block `number` on the node's best chain, if it has one.
	pub async fn block_hash(&self, number: super::BlockNumber) -> anyhow::Result<Option<Hash>> {
		self.rpc
			.request("chain_getBlockHash", rpc_params![number])
			.await
			.context("reading a block hash")
	}

	/// The header of block `at`.
	pub async fn header(&self, at: Hash) -> anyhow::Result<Header> {
		self.rpc.request("chain_getHeader", rpc_params![at]).await.context("reading a block header")
	}

	/// The latest best block's header.
	pub async fn best_header(&self) -> anyhow::Result<Header> {
		self.rpc.request("chain_getHeader", rpc_params![]).await.context("reading the best block")
	}

	/// Calls runtime API function `method` (e.g. `JobsApi_duties`) with SCALE-encoded `args`
	/// at block `at`, and decodes its result.
	pub async fn runtime_call<R: Decode>(
		&self,
		method: &str,
		args: Vec<u8>,
		at: Hash,
	) -> anyhow::Result<R> {
		let bytes: sp_core::Bytes = self
			.rpc
			.request("state_call", rpc_params![method, sp_core::Bytes(args), at])
			.await
			.with_context(|| format!("calling {method}"))?;
		R::decode(&mut &bytes[..]).with_context(|| format!("decoding the result of {method}"))
	}

	/// The value under storage `key` at block `at`, decoded.
	pub async fn storage<R: Decode>(&self, key: Vec<u8>, at: Hash) -> anyhow::Result<Option<R>> {
		let bytes: Option<sp_core::Bytes> = self
			.rpc
			.request("state_getStorage", rpc_params![sp_core::Bytes(key), at])
			.await
			.context("reading storage")?;
		bytes
			.map(|bytes| R::decode(&mut &bytes[..]).context("decoding a storage value"))
			.transpose()
	}

	/// Every storage key under `prefix` at block `at`, a page of `PAGE` at a time.
	pub(super) async fn keys_under(
		&self,
		prefix: &[u8],
		at: Hash,
	) -> anyhow::Result<Vec<sp_core::Bytes>> {
		const PAGE: u32 = 512;
		let mut keys: Vec<sp_core::Bytes> = Vec::new();
		loop {
			let start = keys.last().cloned();
			let page: Vec<sp_core::Bytes> = self
				.rpc
				.request(
					"state_getKeysPaged",
					rpc_params![sp_core::Bytes(prefix.to_vec()), PAGE, start, at],
				)
				.await
				.context("listing storage keys")?;
			let full = page.len() == PAGE as usize;
			keys.extend(page);
			if !full {
				return Ok(keys);
			}
		}
	}

	/// The encoded extrinsics of block `at`.
	pub(super) async fn block_extrinsics(&self, at: Hash) -> anyhow::Result<Vec<sp_core::Bytes>> {
		let block: Value =
			self.rpc.request("chain_getBlock", rpc_params![at]).await.context("reading a block")?;
		serde_json::from_value(block["block"]["extrinsics"].clone())
			.context("reading a block's extrinsics")
	}

	/// The next nonce of `account`, counting its transactions in the node's pool.
	pub(super) async fn next_nonce(&self, account: &super::AccountId) -> anyhow::Result<u32> {
		self.rpc
			.request("system_accountNextIndex", rpc_params![account.to_string()])
			.await
			.context("reading the account's next nonce")
	}

	/// Submits an encoded extrinsic and follows it through the pool. A refusal because the
	/// pool already holds a transaction of the sender with that nonce is [`NonceTaken`].
	pub(super) async fn submit_and_watch(
		&self,
		extrinsic: Vec<u8>,
	) -> anyhow::Result<Subscription<Value>> {
		self.rpc
			.subscribe(
				"author_submitAndWatchExtrinsic",
				rpc_params![sp_core::Bytes(extrinsic)],
				"author_unwatchExtrinsic",
			)
			.await
			.map_err(refusal)
	}
}

/// Why the node refused a transaction: a [`PoolRefusal`], which is also [`NonceTaken`] where it
/// is that; a failure to reach the node is no refusal.
fn refusal(e: jsonrpsee::core::ClientError) -> anyhow::Error {
	let jsonrpsee::core::ClientError::Call(call) = &e else {
		return anyhow::Error::new(e).context("sending the transaction");
	};
	// A server's own errors (busy, too many subscriptions) and `POOL_ALREADY_IMPORTED` (the
	// same transaction is in the pool, and will run) are no refusal.
	if !POOL_REFUSALS.contains(&call.code()) || call.code() == POOL_ALREADY_IMPORTED {
		return anyhow::Error::new(e).context("sending the transaction");
	}
	// `POOL_TOO_LOW_PRIORITY`: the pool holds a transaction of the sender with this nonce.
	// `STALE`: the node imported the block with the sender's previous transaction between
	// telling its next nonce and checking this one: sent through another node, that
	// transaction was in neither its pool nor its best block when the nonce was read.
	let nonce_taken = call.code() == POOL_TOO_LOW_PRIORITY
		|| (call.code() == POOL_INVALID_TX
			&& call.data().is_some_and(|data| data.get().contains(STALE)));
	let refused = anyhow::Error::new(PoolRefusal(e.to_string()));
	if nonce_taken {
		refused.context(NonceTaken)
	} else {
		refused
	}
}

/// The node's pool refused the transaction before any block held it (a nonce already used,
/// fees the sender cannot pay, a bad signature), in the node's words.
#[derive(Debug, thiserror::Error)]
#[error("the node refused the transaction: {0}")]
pub struct PoolRefusal(pub String);

/// The pool's error code for an invalid transaction, and the text of its data when the
/// transaction's nonce is below the account's (`InvalidTransaction::Stale`).
const POOL_INVALID_TX: i32 = 1010;
const STALE: &str = "Transaction is outdated";

/// The pool's error codes, by which it refuses a transaction (`sc_rpc_api::author::error`:
/// invalid, of unknown validity, banned, too low a priority, dropped at once, ...).
const POOL_REFUSALS: std::ops::RangeInclusive<i32> = 1010..=1021;

/// The pool's error code for a transaction it already holds.
const POOL_ALREADY_IMPORTED: i32 = 1013;

/// How long [`Client::next_best_head`] waits: many blocks' time on every Concord chain.
const NEW_BLOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// How long [`Client::finality_of`] waits: GRANDPA finalizes a block within a few blocks on
/// a healthy chain; longer means finality has stalled.
const FINALITY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The pool's error code for a transaction that would replace one of the same sender and
/// nonce without paying more (`sc_rpc_api::author::error`).
const POOL_TOO_LOW_PRIORITY: i32 = 1014;

/// The node's pool holds a transaction of this sender with the nonce just used, or its best
/// block does: one sent through another node that this one had not yet counted in the
/// account's next nonce. Reading the nonce again once the next block is imported gets past it.
#[derive(Debug)]
pub struct NonceTaken;

impl std::fmt::Display for NonceTaken {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str("the nonce was taken by another transaction of the sender")
	}
}

impl std::error::Error for NonceTaken {}

#[cfg(test)]
mod tests {
	use super::*;
	use jsonrpsee::{core::ClientError, types::ErrorObject};

	#[test]
	fn a_taken_nonce_is_told_from_other_refusals() {
		let taken = ErrorObject::owned(1014, "Priority is too low: (25 vs 25)", None::<()>);
		let refused = refusal(ClientError::Call(taken));
		assert!(refused.is::<NonceTaken>());
		assert!(format!("{refused:#}").contains("Priority is too low"), "{refused:#}");
		assert!(refused.is::<PoolRefusal>(), "a refusal still, once retried enough");
		let invalid = ErrorObject::owned(1010, "Invalid Transaction", None::<()>);
		let refused = refusal(ClientError::Call(invalid));
		assert!(!refused.is::<NonceTaken>());
		assert!(refused.is::<PoolRefusal>());
		let unreachable = refusal(ClientError::Custom("the connection closed".into()));
		assert!(!unreachable.is::<PoolRefusal>(), "a lost connection is no refusal");
		let busy = ErrorObject::owned(-32009, "Too many subscriptions", None::<()>);
		assert!(!refusal(ClientError::Call(busy)).is::<PoolRefusal>(), "nor a busy server");
		let held = ErrorObject::owned(1013, "Transaction Already Imported", None::<()>);
		assert!(!refusal(ClientError::Call(held)).is::<PoolRefusal>(), "nor one that will run");
		let unpaid =
			ErrorObject::owned(1010, "Invalid Transaction", Some("Inability to pay some fees"));
		assert!(!refusal(ClientError::Call(unpaid)).is::<NonceTaken>());
		// What the network script met in CI (2026-12-07): a nonce read from a node a block
		// behind the one that checked it.
		let stale =
			ErrorObject::owned(1010, "Invalid Transaction", Some("Transaction is outdated"));
		let refused = refusal(ClientError::Call(stale));
		assert!(refused.is::<NonceTaken>());
		assert!(format!("{refused:#}").contains("outdated"), "{refused:#}");
	}
}
