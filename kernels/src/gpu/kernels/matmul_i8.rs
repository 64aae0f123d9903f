//! matmul-i8: one dispatch of 16x16 output tiles. All buffers fit the WebGPU default limits
//! (C is at most 64 MiB), so the job is never split.

use super::{dispatch, pass, Ctx};
use crate::{
	gpu::{
		pack,
		pipelines::{Slot, Spec},
		uniforms::UniformSlots,
	},
	KernelError,
};
use concord_primitives::kernel::MatmulShape;

pub(in crate::gpu) const SPEC: Spec = Spec {
	slots: &[Slot::Params, Slot::Read, Slot::Read, Slot::ReadWrite],
	entry_points: &["main"],
};

const TILE: u64 = 16;

pub(super) fn run(
	ctx: &mut Ctx<'_>,
	s: &MatmulShape,
	input: &[u8],
) -> Result<Vec<u8>, KernelError> {
	let (m, k, n) = (s.m as usize, s.k as usize, s.n as usize);
	let (a, b) = input.split_at(m * k);
	let a_packed = pack::rows(a, m, k);
	let b_packed = pack::transposed(b, k, n);
	let out_len = (m * n * 4) as u64;
	let groups =
		(ctx.groups(u64::from(s.n).div_ceil(TILE))?, ctx.groups(u64::from(s.m).div_ceil(TILE))?);

	let a_buf = ctx.storage("matmul.a", a_packed.len() as u64)?;
	let b_buf = ctx.storage("matmul.b", b_packed.len() as u64)?;
	let c_buf = ctx.storage("matmul.c", out_len)?;
	let staging = ctx.staging(out_len)?;
	ctx.gpu.write(&a_buf, 0, &a_packed);
	ctx.gpu.write(&b_buf, 0, &b_packed);
	let slots = UniformSlots::upload(
		ctx.gpu,
		ctx.pool,
		&[[s.m, s.n, pack::words(k) as u32, 0, 0, 0, 0, 0]],
	);
	let bind = ctx.pipes.bind(
		ctx.gpu,
		&[
			slots.binding(),
			a_buf.as_entire_binding(),
			b_buf.as_entire_binding(),
			c_buf.as_entire_binding(),
		],
	);

	let mut encoder = ctx.gpu.encoder();
	dispatch(&mut pass(&mut encoder), ctx.pipes.entry("main"), &bind, slots.offset(0), groups);
	ctx.gpu.submit_and_read(ctx.kernel, encoder, &c_buf, &staging, out_len)
}
