//! stencil2d-i32: interior cells become `(4c + up + down + left + right) >> 3` each step.

use concord_primitives::kernel::StencilShape;

pub(super) fn run(s: &StencilShape, input: &[u8]) -> Vec<u8> {
	let (w, h) = (s.width as usize, s.height as usize);
	let mut grid = super::read_i32s(input);
	// Borders never change, so a copy of the input keeps them right in both buffers.
	let mut next = grid.clone();
	for _ in 0..s.steps {
		for y in 1..h - 1 {
			for x in 1..w - 1 {
				let i = y * w + x;
				next[i] = grid[i]
					.wrapping_mul(4)
					.wrapping_add(grid[i - w])
					.wrapping_add(grid[i + w])
					.wrapping_add(grid[i - 1])
					.wrapping_add(grid[i + 1])
					>> 3;
			}
		}
		std::mem::swap(&mut grid, &mut next);
	}
	super::write_i32s(&grid)
}
