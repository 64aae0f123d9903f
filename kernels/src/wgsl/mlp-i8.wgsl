// mlp-i8: one layer of the forward pass for a chunk of samples (KERNELS.md).
//
// Activations are packed four i8 per little-endian u32, each sample's row zero-padded to a
// whole word; the host packs each layer's W the same way (row = output unit). A hidden layer
// writes `min(max(acc >> shift, 0), 127)` packed for the next layer; the last layer writes its
// i32 `acc` as is. i32 addition wraps, so summation order cannot change the result.

struct Params {
	// Samples in this chunk.
	rows: u32,
	// d_l, units of this layer.
	d_out: u32,
	// Words per input row: ceil(d_(l-1) / 4).
	kw: u32,
	// Words per packed output row: ceil(d_l / 4) (hidden layers only).
	out_words: u32,
	shift: u32,
	// 1 for the last layer.
	last: u32,
	_pad0: u32,
	_pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> w: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<i32>;
@group(0) @binding(4) var<storage, read_write> y: array<u32>;

const TILE: u32 = 16u;

var<workgroup> x_tile: array<array<u32, 16>, 16>;
var<workgroup> w_tile: array<array<u32, 16>, 16>;
// Clamped activations of the tile, gathered so that one invocation packs four into a word.
var<workgroup> y_tile: array<array<u32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(
	@builtin(workgroup_id) wid: vec3<u32>,
	@builtin(local_invocation_id) lid: vec3<u32>,
) {
	let sample = wid.y * TILE + lid.y;
	let unit = wid.x * TILE + lid.x;
	let w_row = wid.x * TILE + lid.y;
	var acc = 0i;
	if (unit < params.d_out) {
		acc = bias[unit];
	}
	for (var k0 = 0u; k0 < params.kw; k0 += TILE) {
		let k = k0 + lid.x;
		var xv = 0u;
		if (sample < params.rows && k < params.kw) {
			xv = x[sample * params.kw + k];
		}
		var wv = 0u;
		if (w_row < params.d_out && k < params.kw) {
			wv = w[w_row * params.kw + k];
		}
		x_tile[lid.y][lid.x] = xv;
		w_tile[lid.y][lid.x] = wv;
		workgroupBarrier();
		for (var t = 0u; t < TILE; t++) {
			acc += dot4I8Packed(x_tile[lid.y][t], w_tile[lid.x][t]);
		}
		workgroupBarrier();
	}

	if (params.last == 1u) {
		if (sample < params.rows && unit < params.d_out) {
			y[sample * params.d_out + unit] = bitcast<u32>(acc);
		}
		return;
	}

	var act = 0u;
	if (unit < params.d_out) {
		act = u32(min(max(acc >> params.shift, 0i), 127i));
	}
	y_tile[lid.y][lid.x] = act;
	workgroupBarrier();
	let word = unit / 4u;
	if (lid.x % 4u == 0u && sample < params.rows && word < params.out_words) {
		let packed = y_tile[lid.y][lid.x]
			| (y_tile[lid.y][lid.x + 1u] << 8u)
			| (y_tile[lid.y][lid.x + 2u] << 16u)
			| (y_tile[lid.y][lid.x + 3u] << 24u);
		y[sample * params.out_words + word] = packed;
	}
}
