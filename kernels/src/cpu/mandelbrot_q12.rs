//! mandelbrot-q12: escape-time iteration count per pixel in Q12 fixed point.

use concord_primitives::kernel::MandelbrotShape;

pub(super) fn run(s: &MandelbrotShape) -> Vec<u8> {
	let mut out = Vec::with_capacity(s.width as usize * s.height as usize * 4);
	for py in 0..s.height {
		let c_im = s.cy.wrapping_add((py as i32).wrapping_mul(s.step));
		for px in 0..s.width {
			let c_re = s.cx.wrapping_add((px as i32).wrapping_mul(s.step));
			out.extend(iterations(c_re, c_im, s.max_iter).to_le_bytes());
		}
	}
	out
}

/// The contract's loop, step by step.
pub(super) fn iterations(c_re: i32, c_im: i32, max_iter: u32) -> u32 {
	let (mut x, mut y, mut i) = (0i32, 0i32, 0u32);
	while i < max_iter {
		let x2 = x.wrapping_mul(x) >> 12;
		let y2 = y.wrapping_mul(y) >> 12;
		if x2.wrapping_add(y2) > 16384 {
			break;
		}
		let xy = x.wrapping_mul(y) >> 12;
		y = xy.wrapping_mul(2).wrapping_add(c_im);
		x = x2.wrapping_sub(y2).wrapping_add(c_re);
		i += 1;
	}
	i
}
