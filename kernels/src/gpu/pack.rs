//! Packing `i8` matrices into rows of whole `u32` words (four values per word, little-endian,
//! zero-padded), the layout `dot4I8Packed` reads.

/// Words per packed row of `cols` values.
pub(super) fn words(cols: usize) -> usize {
	cols.div_ceil(4)
}

/// `rows x cols` row-major bytes into rows of `words(cols)` words, as bytes.
pub(super) fn rows(src: &[u8], rows: usize, cols: usize) -> Vec<u8> {
	let stride = words(cols) * 4;
	let mut out = vec![0u8; rows * stride];
	for (dst, row) in out.chunks_exact_mut(stride).zip(src.chunks_exact(cols)) {
		dst[..cols].copy_from_slice(row);
	}
	out
}

/// The transpose of a `rows x cols` row-major matrix, packed: `cols` rows of `words(rows)`.
pub(super) fn transposed(src: &[u8], rows: usize, cols: usize) -> Vec<u8> {
	let stride = words(rows) * 4;
	let mut out = vec![0u8; cols * stride];
	for (r, row) in src.chunks_exact(cols).enumerate() {
		for (c, &v) in row.iter().enumerate() {
			out[c * stride + r] = v;
		}
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rows_are_padded_to_words() {
		assert_eq!(rows(&[1, 2, 3, 4, 5, 6], 2, 3), [1, 2, 3, 0, 4, 5, 6, 0]);
	}

	#[test]
	fn transpose_packs_columns() {
		// [[1, 2], [3, 4], [5, 6]] -> columns [1, 3, 5] and [2, 4, 6].
		assert_eq!(transposed(&[1, 2, 3, 4, 5, 6], 3, 2), [1, 3, 5, 0, 2, 4, 6, 0]);
	}
}
