//! The commitment an assignee posts before anything about the result is public.
//!
//! `blake2_256(result_hash ++ salt ++ provider)`, with `provider` the SCALE encoding of the
//! provider's account id (32 raw bytes for an `AccountId32`). Binding the account into the
//! preimage means a commitment copied from another assignee never verifies for the copier; the
//! salt keeps the result hash secret until the reveal.

extern crate alloc;
use alloc::vec::Vec;

/// The commitment to `result_hash` with `salt`, by the account whose SCALE encoding is
/// `provider`.
pub fn commitment(result_hash: &[u8; 32], salt: &[u8; 32], provider: &[u8]) -> [u8; 32] {
	let mut preimage = Vec::with_capacity(64 + provider.len());
	preimage.extend_from_slice(result_hash);
	preimage.extend_from_slice(salt);
	preimage.extend_from_slice(provider);
	sp_crypto_hashing::blake2_256(&preimage)
}
