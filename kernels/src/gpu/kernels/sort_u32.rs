//! sort-u32: bitonic sort of the input padded with `u32::MAX` to a power of two (at least one
//! 512-value block); the first `n` values of the sorted buffer are the answer. All passes are
//! recorded in one submit.

use super::{dispatch, pass, Ctx};
use crate::{
	gpu::{
		pipelines::{Slot, Spec},
		uniforms::{Params, UniformSlots},
	},
	KernelError,
};
use concord_primitives::kernel::SortShape;

pub(in crate::gpu) const SPEC: Spec =
	Spec { slots: &[Slot::Params, Slot::ReadWrite], entry_points: &["global_step", "local_steps"] };

/// Values sorted in workgroup memory by one `local_steps` workgroup.
const BLOCK: u64 = 512;
const GLOBAL_WG: u32 = 256;

pub(super) fn run(ctx: &mut Ctx<'_>, s: &SortShape, input: &[u8]) -> Result<Vec<u8>, KernelError> {
	let n = u64::from(s.n);
	let padded = n.next_power_of_two().max(BLOCK);
	let data = ctx.storage("sort.data", padded * 4)?;
	let staging = ctx.staging(n * 4)?;
	ctx.gpu.write(&data, 0, input);
	if padded > n {
		ctx.gpu.write(&data, n * 4, &vec![0xff; ctx.usize((padded - n) * 4)?]);
	}

	let pairs = (padded / 2) as u32;
	// The network: sort each block locally (merges 2..=512), then for each larger merge size k,
	// global steps for distances k/2 down to 512 and one local run for 256 down to 1.
	let mut passes: Vec<(&str, Params)> =
		vec![("local_steps", [0, 2, BLOCK as u32, pairs, 0, 0, 0, 0])];
	let mut k = BLOCK * 2;
	while k <= padded {
		let mut j = k / 2;
		while j >= BLOCK {
			passes.push(("global_step", [j as u32, k as u32, 0, pairs, 0, 0, 0, 0]));
			j /= 2;
		}
		passes.push(("local_steps", [0, k as u32, k as u32, pairs, 0, 0, 0, 0]));
		k *= 2;
	}
	let params: Vec<Params> = passes.iter().map(|(_, p)| *p).collect();
	let slots = UniformSlots::upload(ctx.gpu, ctx.pool, &params);
	let bind = ctx.pipes.bind(ctx.gpu, &[slots.binding(), data.as_entire_binding()]);
	let global_groups = ctx.grid(padded / 2, GLOBAL_WG)?;
	let local_groups = (ctx.groups(padded / BLOCK)?, 1);

	let mut encoder = ctx.gpu.encoder();
	{
		let mut pass = pass(&mut encoder);
		for (i, (entry, _)) in passes.iter().enumerate() {
			let groups = if *entry == "global_step" { global_groups } else { local_groups };
			dispatch(&mut pass, ctx.pipes.entry(entry), &bind, slots.offset(i), groups);
		}
	}
	ctx.gpu.submit_and_read(ctx.kernel, encoder, &data, &staging, n * 4)
}
