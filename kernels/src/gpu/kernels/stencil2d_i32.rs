//! stencil2d-i32: ping-pong between two grids, one dispatch per step, many steps per submit
//! (bounded by a work budget so a long simulation is several submits).

use super::{dispatch, pass, Ctx, MAX_DISPATCHES_PER_SUBMIT};
use crate::{
	gpu::{
		pipelines::{Slot, Spec},
		uniforms::UniformSlots,
	},
	KernelError,
};
use concord_primitives::kernel::StencilShape;

pub(in crate::gpu) const SPEC: Spec =
	Spec { slots: &[Slot::Params, Slot::Read, Slot::ReadWrite], entry_points: &["main"] };

const WG: u32 = 64;

pub(super) fn run(
	ctx: &mut Ctx<'_>,
	s: &StencilShape,
	input: &[u8],
) -> Result<Vec<u8>, KernelError> {
	let cells = u64::from(s.width) * u64::from(s.height);
	let len = cells * 4;
	let grids = [ctx.storage("stencil.a", len)?, ctx.storage("stencil.b", len)?];
	let staging = ctx.staging(len)?;
	// Both grids start as the input, so the never-written border is right in each.
	ctx.gpu.write(&grids[0], 0, input);
	ctx.gpu.write(&grids[1], 0, input);
	let slots = UniformSlots::upload(ctx.gpu, ctx.pool, &[[s.width, s.height, 0, 0, 0, 0, 0, 0]]);
	let binds = [0, 1].map(|from| {
		ctx.pipes.bind(
			ctx.gpu,
			&[
				slots.binding(),
				grids[from].as_entire_binding(),
				grids[1 - from].as_entire_binding(),
			],
		)
	});
	let interior = u64::from(s.width - 2) * u64::from(s.height - 2);
	let groups = ctx.grid(interior, WG)?;
	let per_submit = (ctx.split.submit_work.max(1) / cells).clamp(1, MAX_DISPATCHES_PER_SUBMIT);

	let steps = u64::from(s.steps);
	let mut done = 0u64;
	loop {
		let mut encoder = ctx.gpu.encoder();
		let batch = per_submit.min(steps - done);
		{
			let mut pass = pass(&mut encoder);
			for step in done..done + batch {
				dispatch(
					&mut pass,
					ctx.pipes.entry("main"),
					&binds[(step % 2) as usize],
					slots.offset(0),
					groups,
				);
			}
		}
		done += batch;
		if done == steps {
			let result = &grids[(steps % 2) as usize];
			return ctx.gpu.submit_and_read(ctx.kernel, encoder, result, &staging, len);
		}
		ctx.gpu.submit_and_wait(ctx.kernel, encoder)?;
	}
}
