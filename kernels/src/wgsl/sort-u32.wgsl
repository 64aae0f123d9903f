// sort-u32: bitonic sort of a power-of-two buffer, padded by the host with u32::MAX (KERNELS.md).
//
// A bitonic network is a fixed sequence of compare-exchanges, so the result never depends on
// scheduling. Steps with a pair distance `j` of 512 or more run as one `global_step` dispatch
// each; the smaller steps of a merge run together in `local_steps`, on a 512-value block held in
// workgroup memory.

struct Params {
	// Pair distance of a global step.
	j: u32,
	// Size of the bitonic sequences being merged (global step), or the first merge size of a
	// local run.
	k: u32,
	// Last merge size of a local run.
	k_last: u32,
	// Compare-exchange pairs in the whole buffer: its length / 2.
	pairs: u32,
	_pad0: u32,
	_pad1: u32,
	_pad2: u32,
	_pad3: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;

const GLOBAL_WG: u32 = 256u;
const BLOCK: u32 = 512u;

/// The lower index of pair `i` at distance `j` (a power of two).
fn pair_low(i: u32, j: u32) -> u32 {
	return ((i & ~(j - 1u)) << 1u) | (i & (j - 1u));
}

@compute @workgroup_size(256)
fn global_step(
	@builtin(workgroup_id) wid: vec3<u32>,
	@builtin(num_workgroups) groups: vec3<u32>,
	@builtin(local_invocation_index) lidx: u32,
) {
	let i = (wid.y * groups.x + wid.x) * GLOBAL_WG + lidx;
	if (i >= params.pairs) {
		return;
	}
	let lo = pair_low(i, params.j);
	let hi = lo + params.j;
	let ascending = (lo & params.k) == 0u;
	let a = data[lo];
	let b = data[hi];
	if ((a > b) == ascending) {
		data[lo] = b;
		data[hi] = a;
	}
}

var<workgroup> block: array<u32, 512>;

@compute @workgroup_size(256)
fn local_steps(
	@builtin(workgroup_id) wid: vec3<u32>,
	@builtin(local_invocation_index) lidx: u32,
) {
	let base = wid.x * BLOCK;
	block[lidx] = data[base + lidx];
	block[lidx + 256u] = data[base + lidx + 256u];
	workgroupBarrier();
	for (var k = params.k; k <= params.k_last; k <<= 1u) {
		for (var j = min(k >> 1u, BLOCK >> 1u); j > 0u; j >>= 1u) {
			let lo = pair_low(lidx, j);
			let hi = lo + j;
			let ascending = ((base + lo) & k) == 0u;
			let a = block[lo];
			let b = block[hi];
			if ((a > b) == ascending) {
				block[lo] = b;
				block[hi] = a;
			}
			workgroupBarrier();
		}
	}
	data[base + lidx] = block[lidx];
	data[base + lidx + 256u] = block[lidx + 256u];
}
