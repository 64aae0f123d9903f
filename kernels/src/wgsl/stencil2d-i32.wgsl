// stencil2d-i32: one diffusion step, interior cells only (KERNELS.md). The host keeps the input
// in both ping-pong buffers, so border cells stay right without being written.

struct Params {
	width: u32,
	height: u32,
	_pad0: u32,
	_pad1: u32,
	_pad2: u32,
	_pad3: u32,
	_pad4: u32,
	_pad5: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<i32>;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(
	@builtin(workgroup_id) wid: vec3<u32>,
	@builtin(num_workgroups) groups: vec3<u32>,
	@builtin(local_invocation_index) lidx: u32,
) {
	let inner_w = params.width - 2u;
	let idx = (wid.y * groups.x + wid.x) * WG + lidx;
	if (idx >= inner_w * (params.height - 2u)) {
		return;
	}
	let x = 1u + idx % inner_w;
	let y = 1u + idx / inner_w;
	let i = y * params.width + x;
	let w = params.width;
	dst[i] = (4i * src[i] + src[i - w] + src[i + w] + src[i - 1u] + src[i + 1u]) >> 3u;
}
