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

/// An account that signs transactions, and the nonce it will use next.
pub struct Signer {
	pair: sr25519::Pair,
	account: AccountId,
	/// The next nonce, once known; `None` makes the next transaction ask the node.
	pub(super) next_nonce: Mutex<Option<u32>>,
}

/// What a signature commits to besides the call: which chain, which runtime, and from which
/// block on the transaction is valid.
pub(super) struct SigningContext {
	pub genesis: Hash,
	pub spec_version: u32,
	pub transaction_version: u32,
	pub block_number: BlockNumber,
	pub block_hash: Hash,
}

impl Signer {
	/// A signer from a secret URI: a mnemonic or hex seed, optionally with derivation paths,
	/// or a dev account such as `//Alice`.
	pub fn from_uri(uri: &str) -> anyhow::Result<Signer> {
		let pair = sr25519::Pair::from_string(uri, None)
			.map_err(|e| anyhow!("not a valid secret key URI ({e:?})"))?;
		let account = AccountId::from(pair.public());
		Ok(Signer { pair, account, next_nonce: Mutex::new(None) })
	}

	pub fn account(&self) -> &AccountId {
		&self.account
	}

	/// `call`, signed with `nonce`, valid for [`MORTALITY`] blocks from the context's block.
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

/// The checks a transaction carries: all standard, so any wallet could have signed it too.
fn extension(nonce: u32, context: &SigningContext) -> TxExtension {
	let era = Era::mortal(MORTALITY, u64::from(context.block_number));
	(
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
	)
}

/// What each extension adds to the signed payload without sending it. The era's birth block
/// is the context's block, because a 64-block era is not quantized.
type Implicit = <TxExtension as sp_runtime::traits::TransactionExtension<RuntimeCall>>::Implicit;
fn implicit(context: &SigningContext) -> Implicit {
	(
		(),
		context.spec_version,
		context.transaction_version,
		context.genesis,
		context.block_hash,
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
			block_number: 100,
			block_hash: Hash::repeat_byte(2),
		}
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
