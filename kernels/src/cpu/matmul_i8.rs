//! matmul-i8: `C[i][j] = sum_t A[i][t] * B[t][j]`.

use concord_primitives::kernel::MatmulShape;

pub(super) fn run(s: &MatmulShape, input: &[u8]) -> Vec<u8> {
	let (m, k, n) = (s.m as usize, s.k as usize, s.n as usize);
	let (a, b) = input.split_at(m * k);
	let mut c = vec![0i32; m * n];
	// Row i of C accumulates A[i][t] * row t of B: the same sum, in a cache-friendly order
	// (integer addition is exact, so the order cannot change the bytes).
	for (i, row) in c.chunks_exact_mut(n).enumerate() {
		for t in 0..k {
			let a_it = i32::from(a[i * k + t] as i8);
			for (j, acc) in row.iter_mut().enumerate() {
				*acc = acc.wrapping_add(a_it * i32::from(b[t * n + j] as i8));
			}
		}
	}
	super::write_i32s(&c)
}
