//! sha256-batch: SHA-256 of each message, in order. The digest comes from sp-crypto-hashing
//! (the `sha2` crate), an implementation trusted independently of our WGSL one.

use concord_primitives::kernel::Sha256Shape;

pub(super) fn run(s: &Sha256Shape, input: &[u8]) -> Vec<u8> {
	let mut out = Vec::with_capacity(s.count as usize * 32);
	if s.msg_len == 0 {
		let digest = sp_crypto_hashing::sha2_256(&[]);
		(0..s.count).for_each(|_| out.extend_from_slice(&digest));
	} else {
		for message in input.chunks_exact(s.msg_len as usize) {
			out.extend_from_slice(&sp_crypto_hashing::sha2_256(message));
		}
	}
	out
}
