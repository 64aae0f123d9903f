//! sort-u32: the values in ascending order.

use concord_primitives::kernel::SortShape;

pub(super) fn run(_s: &SortShape, input: &[u8]) -> Vec<u8> {
	let mut values: Vec<u32> =
		input.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
	// Equal `u32`s are indistinguishable, so an unstable sort gives the same bytes.
	values.sort_unstable();
	values.iter().flat_map(|v| v.to_le_bytes()).collect()
}
