// matmul-i8: C = A * B, i8 inputs, exact i32 output (KERNELS.md).
//
// The host packs A as `m` rows of `kw` words and B transposed as `n` rows of `kw` words, four
// i8 per little-endian u32, rows zero-padded to a whole word. Zero padding adds nothing to a
// dot product, so each C[i][j] is the sum of dot4I8Packed over one A row and one B^T row.
// Integer sums are exact, so tiling and summation order cannot change the result.

struct Params {
	m: u32,
	n: u32,
	kw: u32,
	_pad0: u32,
	_pad1: u32,
	_pad2: u32,
	_pad3: u32,
	_pad4: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> bt: array<u32>;
@group(0) @binding(3) var<storage, read_write> c: array<i32>;

const TILE: u32 = 16u;

// A 16x16 tile of C per workgroup; the K dimension is walked 16 words (64 i8) at a time.
var<workgroup> a_tile: array<array<u32, 16>, 16>;
var<workgroup> b_tile: array<array<u32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(
	@builtin(workgroup_id) wid: vec3<u32>,
	@builtin(local_invocation_id) lid: vec3<u32>,
) {
	let row = wid.y * TILE + lid.y;
	let col = wid.x * TILE + lid.x;
	let a_row = wid.y * TILE + lid.y;
	let b_row = wid.x * TILE + lid.y;
	var acc = 0i;
	for (var w0 = 0u; w0 < params.kw; w0 += TILE) {
		let w = w0 + lid.x;
		var av = 0u;
		if (a_row < params.m && w < params.kw) {
			av = a[a_row * params.kw + w];
		}
		var bv = 0u;
		if (b_row < params.n && w < params.kw) {
			bv = bt[b_row * params.kw + w];
		}
		a_tile[lid.y][lid.x] = av;
		b_tile[lid.y][lid.x] = bv;
		workgroupBarrier();
		for (var t = 0u; t < TILE; t++) {
			acc += dot4I8Packed(a_tile[lid.y][t], b_tile[lid.x][t]);
		}
		workgroupBarrier();
	}
	if (row < params.m && col < params.n) {
		c[row * params.n + col] = acc;
	}
}
