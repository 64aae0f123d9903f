//! Who may fetch an output: the requester of a job attested with it, and whoever holds a grant
//! the requester signed.
//!
//! A grant is the requester's sr25519 signature over `"concord/fetch/v1" ++ root` with its
//! account, where the root is the output's BLAKE3 root (its result hash): it names one blob, no
//! server and no time, so the requester can sign one for itself on each fetch or hand it to
//! anyone it wants to read the output (`concord job grant`). Providers keep, beside each output
//! they serve, the accounts that requested jobs attested with it (`<blob>.readers`), and serve
//! its pieces only to requests that carry a grant from one of them. Requests travel inside
//! Noise-encrypted connections, so a grant is seen only by the servers it is sent to, which
//! already hold the blob.

use codec::{Decode, Encode};
use sp_core::{crypto::AccountId32, sr25519, Pair};

/// What a grant's signature covers, before the blob's hash.
const CONTEXT: &[u8] = b"concord/fetch/v1";

/// A requester's permission to fetch one blob.
#[derive(Clone, Debug, Decode, Encode, Eq, PartialEq)]
pub struct Grant {
	/// The requester: its account id is its sr25519 public key.
	pub account: [u8; 32],
	pub signature: [u8; 64],
}

impl Grant {
	/// A grant from `requester` to fetch the blob with `hash`.
	pub fn sign(requester: &sr25519::Pair, hash: &[u8; 32]) -> Grant {
		let signature = requester.sign(&message(hash));
		Grant { account: requester.public().0, signature: signature.0 }
	}

	/// Whether this grant is the account's signature for the blob with `hash`: over the
	/// message itself, or over `<Bytes>message</Bytes>`, which is what browser wallets sign
	/// when a page asks them to sign bytes (so that no page can make them sign a transaction).
	pub fn permits(&self, hash: &[u8; 32]) -> bool {
		let public = sr25519::Public::from_raw(self.account);
		let signature = sr25519::Signature::from_raw(self.signature);
		let message = message(hash);
		sr25519::Pair::verify(&signature, &message, &public)
			|| sr25519::Pair::verify(&signature, wallet_wrapped(hash), &public)
	}

	/// The account that signed it.
	pub fn account(&self) -> AccountId32 {
		AccountId32::new(self.account)
	}

	/// The grant as text, for the command line: hex of its SCALE encoding.
	pub fn to_hex(&self) -> String {
		hex::encode(self.encode())
	}

	pub fn from_hex(text: &str) -> anyhow::Result<Grant> {
		let bytes = hex::decode(text.trim().trim_start_matches("0x"))
			.map_err(|e| anyhow::anyhow!("a grant is 192 hex digits: {e}"))?;
		Grant::decode(&mut &bytes[..]).map_err(|_| anyhow::anyhow!("not a grant: 96 bytes"))
	}
}

/// What a grant's signer signs for the blob with `hash`.
fn message(hash: &[u8; 32]) -> Vec<u8> {
	[CONTEXT, &hash[..]].concat()
}

/// The message as a browser wallet signs it: `<Bytes>message</Bytes>`.
pub fn wallet_wrapped(hash: &[u8; 32]) -> Vec<u8> {
	[b"<Bytes>".as_slice(), &message(hash), b"</Bytes>"].concat()
}

#[cfg(test)]
mod tests {
	use super::*;

	fn bytes(hex_text: &serde_json::Value) -> Vec<u8> {
		hex::decode(hex_text.as_str().unwrap().trim_start_matches("0x")).unwrap()
	}

	/// The dashboard makes and reads grants too (`ui/src/output.ts`); both read these vectors,
	/// so neither can change the message, its wallet wrapping or the grant's text alone.
	#[test]
	fn grants_match_the_vectors_the_dashboard_reads() {
		let vectors: serde_json::Value =
			serde_json::from_str(include_str!("../../../tests/vectors/grants.json")).unwrap();
		let cases = vectors["cases"].as_array().unwrap();
		assert!(cases.len() >= 2);
		for case in cases {
			let root: [u8; 32] = bytes(&case["root"]).try_into().unwrap();
			assert_eq!(message(&root), bytes(&case["message"]), "{case}");
			let wrapped = wallet_wrapped(&root);
			assert_eq!(wrapped, bytes(&case["wrapped"]), "{case}");
			let grant = Grant::from_hex(case["grant"].as_str().unwrap()).unwrap();
			assert_eq!(grant.account.to_vec(), bytes(&case["public_key"]), "{case}");
			assert_eq!(grant.signature.to_vec(), bytes(&case["signature"]), "{case}");
			assert_eq!(grant.to_hex(), case["grant"], "{case}");
			assert!(grant.permits(&root), "{case}");
			let mut other = root;
			other[0] ^= 1;
			assert!(!grant.permits(&other), "{case}");
		}
	}

	#[test]
	fn a_grant_permits_its_blob_only_and_cannot_be_forged() {
		let dave = sr25519::Pair::from_string("//Dave", None).unwrap();
		let grant = Grant::sign(&dave, &[1; 32]);
		assert!(grant.permits(&[1; 32]));
		assert!(!grant.permits(&[2; 32]), "another blob");
		assert_eq!(grant.account(), AccountId32::from(dave.public()));

		let eve = sr25519::Pair::from_string("//Eve", None).unwrap();
		let claimed = Grant { account: dave.public().0, ..Grant::sign(&eve, &[1; 32]) };
		assert!(!claimed.permits(&[1; 32]), "Eve's signature passed off as Dave's");

		assert_eq!(Grant::from_hex(&grant.to_hex()).unwrap(), grant);
		assert!(Grant::from_hex("00").is_err());
	}
}
