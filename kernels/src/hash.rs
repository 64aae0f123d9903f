//! The result hash that providers commit to and the chain compares.

/// BLAKE2b-256 of the output bytes, as KERNELS.md specifies (`blake2_256` in sp-core).
pub fn result_hash(output: &[u8]) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(output)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn empty_output_hashes_to_the_blake2b_256_vector() {
		// BLAKE2b-256 of the empty string (RFC 7693 parameters, 32-byte digest).
		let expected = "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8";
		let got: String = result_hash(b"").iter().map(|b| format!("{b:02x}")).collect();
		assert_eq!(got, expected);
	}
}
