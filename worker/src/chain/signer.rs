//! Keys, and signed extrinsics built with the runtime's own transaction extensions.

use super::{AccountId, BlockNumber, Hash, RuntimeCall};
use anyhow::anyhow;
use codec::Encode;
use concord_runtime::{Runtime, SignedPayload, TxExtension, UncheckedExtrinsic};
use sp_core::{sr25519, Pair};
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};
use tokio::sync::Mutex;

/// How many blocks a transaction stays valid: one that has not landed by then is dropped
/// rather than landing late.
const MORTALITY: u64 = 64;

/// A transaction is born at the finalized head, so that no re-org can take its birth block
/// away (which would make it invalid on the new chain). When finality lags so far behind the
/// best block that such a transaction would have fewer than this many blocks left to land, it
/// is signed immortal instead (its nonce still makes it land at most once).
const MIN_LIFE: u64 = 16;

/// An account that signs transactions.
pub struct Signer {
	pair: sr25519::Pair,
	account: AccountId,
	/// Held while one transaction is signed and handed to the pool, so that the next one
	/// reads a nonce that counts it.
	pub(super) sending: Mutex<()>,
}

/// What a signature commits to besides the call: which chain, which runtime, and from which
/// block on the transaction is valid.
pub(super) struct SigningContext {
	pub genesis: Hash,
	pub spec_version: u32,
	pub transaction_version: u32,
	/// The block the transaction's mortal era starts at; `None`: immortal.
	pub birth: Option<(BlockNumber, Hash)>,
}

/// The birth block of a transaction sent when the best block is number `best` and the
/// finalized one is `finalized`: the finalized block, unless finality lags too far behind
/// (see [`MIN_LIFE`]).
pub(super) fn birth(
	best: BlockNumber,
	finalized: (BlockNumber, Hash),
) -> Option<(BlockNumber, Hash)> {
	let lag = u64::from(best.saturating_sub(finalized.0));
	(lag + MIN_LIFE <= MORTALITY).then_some(finalized)
}

impl Signer {
	/// A signer from a secret URI: a mnemonic or hex seed, optionally with derivation paths,
	/// or a dev account such as `//Alice`.
	pub fn from_uri(uri: &str) -> anyhow::Result<Signer> {
		let pair = sr25519::Pair::from_string(uri, None)
			.map_err(|e| anyhow!("not a valid secret key URI ({e})"))?;
		let account = AccountId::from(pair.public());
		Ok(Signer { pair, account, sending: Mutex::new(()) })
	}

	pub fn account(&self) -> &AccountId {
		&self.account
	}

	/// This account's permission to fetch the blob with `hash` (see [`crate::data::Grant`]).
	pub fn grant(&self, hash: &[u8; 32]) -> crate::data::Grant {
		crate::data::Grant::sign(&self.pair, hash)
	}

	/// `call`, signed with `nonce`, valid for [`MORTALITY`] blocks from the context's birth
	/// block (or for ever if it has none).
	pub(super) fn sign(
		&self,
		call: RuntimeCall,
		nonce: u32,
		context: &SigningContext,
	) -> UncheckedExtrinsic {
		let extension = extension(nonce, context);
		let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit(context));
		let signature = payload.using_encoded(|bytes| self.pair.sign(bytes));
		UncheckedExtrinsic::new_signed(
			call,
			MultiAddress::Id(self.account.clone()),
			MultiSignature::Sr25519(signature),
			extension,
		)
	}
}

/// The checks a transaction carries: the standard ones and Concord's `PrioritizeDuties`, which
/// carries no data (so a wallet told its name signs it too).
fn extension(nonce: u32, context: &SigningContext) -> TxExtension {
	let era = match context.birth {
		Some((number, _)) => Era::mortal(MORTALITY, u64::from(number)),
		None => Era::Immortal,
	};
	(
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_jobs::PrioritizeDuties::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
	)
}

/// What each extension adds to the signed payload without sending it. The era's birth block
/// is the context's block, because a 64-block era is not quantized; an immortal
/// transaction's is the genesis block.
type Implicit = <TxExtension as sp_runtime::traits::TransactionExtension<RuntimeCall>>::Implicit;
fn implicit(context: &SigningContext) -> Implicit {
	(
		(),
		context.spec_version,
		context.transaction_version,
		context.genesis,
		context.birth.map_or(context.genesis, |(_, hash)| hash),
		(),
		(),
		(),
		(),
		None,
	)
}

/// The transaction's hash as the node reports it: blake2-256 of its encoding.
pub(super) fn extrinsic_hash(extrinsic: &[u8]) -> Hash {
	Hash::from(sp_crypto_hashing::blake2_256(extrinsic))
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_runtime::generic::Preamble;

	fn context(genesis: u8) -> SigningContext {
		SigningContext {
			genesis: Hash::repeat_byte(genesis),
			spec_version: 7,
			transaction_version: 2,
			birth: Some((100, Hash::repeat_byte(2))),
		}
	}

	#[test]
	fn transactions_are_born_at_the_finalized_block_unless_finality_stalls() {
		let finalized = (90, Hash::repeat_byte(3));
		assert_eq!(birth(92, finalized), Some(finalized));
		assert_eq!(birth(90, finalized), Some(finalized));
		let longest_lag = (MORTALITY - MIN_LIFE) as u32;
		assert_eq!(birth(90 + longest_lag, finalized), Some(finalized));
		assert_eq!(birth(90 + longest_lag + 1, finalized), None, "immortal");
	}

	/// A mortal transaction's signature covers its birth block's hash; an immortal one's the
	/// genesis hash, as `CheckEra` rebuilds them.
	#[test]
	fn the_era_and_its_birth_block_are_signed() {
		let mortal = context(1);
		assert_eq!(extension(0, &mortal).4, frame_system::CheckEra::from(Era::mortal(64, 100)));
		assert_eq!(implicit(&mortal).4, Hash::repeat_byte(2));
		let immortal = SigningContext { birth: None, ..context(1) };
		assert_eq!(extension(0, &immortal).4, frame_system::CheckEra::from(Era::Immortal));
		assert_eq!(implicit(&immortal).4, Hash::repeat_byte(1));
	}

	/// The signature verifies over the payload the runtime rebuilds, and only on its chain.
	#[test]
	fn a_signature_binds_the_call_the_nonce_and_the_chain() {
		let signer = Signer::from_uri("//Dave").unwrap();
		let call = RuntimeCall::Jobs(pallet_jobs::Call::cancel { job: 4 });
		let extrinsic = signer.sign(call.clone(), 3, &context(1));
		let Preamble::Signed(address, MultiSignature::Sr25519(signature), sent) =
			&extrinsic.preamble
		else {
			panic!("not a signed extrinsic: {:?}", extrinsic.preamble)
		};
		assert_eq!(address, &MultiAddress::Id(signer.account().clone()));
		let verifies = |call: &RuntimeCall, nonce: u32, genesis: u8| {
			let payload = SignedPayload::from_raw(
				call.clone(),
				extension(nonce, &context(genesis)),
				implicit(&context(genesis)),
			);
			payload.using_encoded(|bytes| {
				sr25519::Pair::verify(signature, bytes, &signer.pair.public())
			})
		};
		assert_eq!(sent.encode(), extension(3, &context(1)).encode());
		assert!(verifies(&call, 3, 1));
		assert!(!verifies(&call, 4, 1), "another nonce");
		assert!(!verifies(&call, 3, 9), "another chain");
		let other_call = RuntimeCall::Jobs(pallet_jobs::Call::cancel { job: 5 });
		assert!(!verifies(&other_call, 3, 1), "another call");
	}

	#[test]
	fn dev_uris_give_the_dev_accounts() {
		let alice = Signer::from_uri("//Alice").unwrap();
		assert_eq!(alice.account().to_string(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
		assert!(Signer::from_uri("not a key").is_err());
	}
}
