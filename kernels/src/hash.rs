//! The result hash that providers commit to and the chain compares.

/// BLAKE3 of the output bytes, as KERNELS.md specifies: what `b3sum` prints, and the root of
/// the output's hash tree on the data plane (`bao-tree` roots are plain BLAKE3), so the hash
/// the chain attests is the one every piece of the output can be verified against.
pub fn result_hash(output: &[u8]) -> [u8; 32] {
	*blake3::hash(output).as_bytes()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn outputs_hash_to_the_blake3_test_vectors() {
		let hex =
			|bytes: [u8; 32]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
		// The official BLAKE3 test vectors (test_vectors.json): input i is byte i mod 251.
		let input = |len: usize| -> Vec<u8> { (0..len).map(|i| (i % 251) as u8).collect() };
		let expected = [
			(0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"),
			(1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"),
			(1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444"),
		];
		for (len, want) in expected {
			assert_eq!(hex(result_hash(&input(len))), want, "{len} bytes");
		}
	}
}
