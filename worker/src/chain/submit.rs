//! Submitting a signed call and learning what became of it.

use super::{
	names::Refusal, rpc::NonceTaken, signer::SigningContext, Client, Hash, RuntimeEvent, Signer,
};
use anyhow::{anyhow, bail, Context};
use codec::Encode;
use concord_runtime::RuntimeCall;
use frame_support::storage::storage_prefix;
use frame_system::{EventRecord, Phase};
use serde_json::Value;

/// How many times a transaction whose nonce was taken ([`NonceTaken`]) is signed again, each
/// after the next block.
const NONCE_RETRIES: u32 = 3;

/// A transaction that made it into a block and succeeded there.
#[derive(Debug)]
pub struct Included {
	pub block_hash: Hash,
	/// The events the transaction emitted (fee and `ExtrinsicSuccess` included).
	pub events: Vec<RuntimeEvent>,
}

impl Client {
	/// Signs `call` as `signer`, submits it and waits until it is in a block. Fails with the
	/// runtime's named error (e.g. `jobs.RewardTooLow`) if the call failed there, or with the
	/// pool's reason if the node refused or dropped it.
	///
	/// Inclusion in a best block is enough here: the dev chain and the test networks finalize
	/// two blocks behind, and a transaction retracted by a re-org goes back to the pool, where
	/// it stays valid because it was born at a finalized block. Callers whose state depends on
	/// a transaction (the provider's salts) wait for finality themselves.
	pub async fn submit(&self, signer: &Signer, call: RuntimeCall) -> anyhow::Result<Included> {
		let mut attempts = 0;
		let (mut subscription, tx_hash) = loop {
			// Read at each attempt: a runtime upgrade may land while one waits for a block.
			let (spec_version, transaction_version) = self.signing_version().await?;
			// One transaction at a time per signer until the pool has it (the node accepts the
			// subscription only after its pool imported the transaction), so that two never
			// take the same nonce. The nonce is always the node's, which counts its pool: one
			// counted here would run ahead of the chain after a re-org dropped a transaction.
			let sending = signer.sending.lock().await;
			let best = self.best_header().await?;
			let finalized = self.finalized_header().await?;
			let context = SigningContext {
				genesis: self.genesis,
				spec_version,
				transaction_version,
				birth: super::signer::birth(best.number, (finalized.number, finalized.hash())),
			};
			let nonce = self.next_nonce(signer.account()).await?;
			let extrinsic = signer.sign(call.clone(), nonce, &context).encode();
			match self.submit_and_watch(extrinsic.clone()).await {
				Ok(watch) => break (watch, super::signer::extrinsic_hash(&extrinsic)),
				// A transaction of this signer sent through another node just now: the next
				// block counts it.
				Err(e) if e.is::<NonceTaken>() && attempts < NONCE_RETRIES => {
					drop(sending);
					attempts += 1;
					self.next_best_head().await?;
				}
				Err(e) => return Err(e),
			}
		};
		while let Some(status) = subscription.next().await {
			let status = status.context("following the transaction")?;
			if let Some(block_hash) = status.get("inBlock") {
				let block_hash: Hash =
					serde_json::from_value(block_hash.clone()).context("reading inBlock")?;
				return self.outcome(block_hash, tx_hash).await;
			}
			if let Some(reason) = dropped(&status) {
				bail!("the transaction was not included: {reason}");
			}
		}
		bail!("the node stopped reporting on the transaction")
	}

	/// The events of transaction `tx_hash` in block `block_hash`, or its named error.
	async fn outcome(&self, block_hash: Hash, tx_hash: Hash) -> anyhow::Result<Included> {
		let extrinsics = self.block_extrinsics(block_hash).await?;
		let index = extrinsics
			.iter()
			.position(|bytes| super::signer::extrinsic_hash(bytes) == tx_hash)
			.ok_or_else(|| anyhow!("the transaction is not in block {block_hash:?}"))?;
		let index = u32::try_from(index).context("extrinsic index")?;
		let records: Vec<EventRecord<RuntimeEvent, Hash>> = self
			.storage(storage_prefix(b"System", b"Events").to_vec(), block_hash)
			.await?
			.unwrap_or_default();
		let events: Vec<RuntimeEvent> = records
			.into_iter()
			.filter(|record| record.phase == Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect();
		for event in &events {
			if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) = event
			{
				return Err(Refusal::of(*dispatch_error).in_block(block_hash).into());
			}
		}
		Ok(Included { block_hash, events })
	}
}

/// Why the pool gave up on a transaction, for the statuses that end its life unincluded.
fn dropped(status: &Value) -> Option<String> {
	match status {
		Value::String(s) if s == "dropped" => Some("dropped from the pool".into()),
		Value::String(s) if s == "invalid" => Some("no longer valid".into()),
		Value::Object(o) if o.contains_key("usurped") => {
			Some("replaced by another transaction with the same nonce".into())
		}
		_ => None,
	}
}
