// mandelbrot-q12: escape-time iteration count per pixel, Q12 fixed point (KERNELS.md).
// WGSL i32 arithmetic wraps and `>>` on i32 is arithmetic, exactly as the contract states.

struct Params {
	width: u32,
	height: u32,
	max_iter: u32,
	cx: i32,
	cy: i32,
	step: i32,
	// First image row of this dispatch, and how many rows it covers.
	row0: u32,
	rows: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(
	@builtin(workgroup_id) wid: vec3<u32>,
	@builtin(num_workgroups) groups: vec3<u32>,
	@builtin(local_invocation_index) lidx: u32,
) {
	// The grid is folded into two dimensions to stay under the per-dimension workgroup limit.
	let idx = (wid.y * groups.x + wid.x) * WG + lidx;
	if (idx >= params.rows * params.width) {
		return;
	}
	let px = idx % params.width;
	let py = params.row0 + idx / params.width;
	let c_re = params.cx + i32(px) * params.step;
	let c_im = params.cy + i32(py) * params.step;
	var x = 0i;
	var y = 0i;
	var i = 0u;
	loop {
		if (i >= params.max_iter) {
			break;
		}
		let x2 = (x * x) >> 12u;
		let y2 = (y * y) >> 12u;
		if (x2 + y2 > 16384i) {
			break;
		}
		let xy = (x * y) >> 12u;
		y = 2i * xy + c_im;
		x = x2 - y2 + c_re;
		i += 1u;
	}
	out[py * params.width + px] = i;
}
