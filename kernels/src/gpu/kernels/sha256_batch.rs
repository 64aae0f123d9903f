//! sha256-batch: one invocation per message. Inputs up to 4 GiB stream through in chunks of
//! whole messages that fit one binding.

use super::{dispatch, pass, Ctx};
use crate::{
	gpu::{
		pipelines::{Slot, Spec},
		uniforms::UniformSlots,
	},
	KernelError,
};
use concord_primitives::kernel::Sha256Shape;

pub(in crate::gpu) const SPEC: Spec =
	Spec { slots: &[Slot::Params, Slot::Read, Slot::ReadWrite], entry_points: &["main"] };

const WG: u32 = 64;
const DIGEST: u64 = 32;

pub(super) fn run(
	ctx: &mut Ctx<'_>,
	s: &Sha256Shape,
	input: &[u8],
) -> Result<Vec<u8>, KernelError> {
	let (msg_len, count) = (u64::from(s.msg_len), u64::from(s.count));
	let blocks = s.blocks_per_message() as u32;
	let per_chunk = (ctx.chunk_bytes() / msg_len.max(DIGEST)).min(count).max(1);
	let in_buf = ctx.storage("sha256.input", per_chunk * msg_len)?;
	let out_buf = ctx.storage("sha256.digests", per_chunk * DIGEST)?;
	let staging = ctx.staging(per_chunk * DIGEST)?;

	let last = count - (count - 1) / per_chunk * per_chunk;
	let slots = UniformSlots::upload(
		ctx.gpu,
		ctx.pool,
		&[
			[s.msg_len, per_chunk as u32, blocks, 0, 0, 0, 0, 0],
			[s.msg_len, last as u32, blocks, 0, 0, 0, 0, 0],
		],
	);
	let bind = ctx
		.pipes
		.bind(ctx.gpu, &[slots.binding(), in_buf.as_entire_binding(), out_buf.as_entire_binding()]);

	let mut output = Vec::with_capacity(ctx.usize(count * DIGEST)?);
	let mut first = 0u64;
	while first < count {
		let messages = per_chunk.min(count - first);
		let bytes = &input[ctx.usize(first * msg_len)?..ctx.usize((first + messages) * msg_len)?];
		ctx.gpu.write(&in_buf, 0, bytes);
		let slot = if messages == per_chunk { 0 } else { 1 };
		let mut encoder = ctx.gpu.encoder();
		let groups = ctx.grid(messages, WG)?;
		dispatch(
			&mut pass(&mut encoder),
			ctx.pipes.entry("main"),
			&bind,
			slots.offset(slot),
			groups,
		);
		output.extend(ctx.gpu.submit_and_read(
			ctx.kernel,
			encoder,
			&out_buf,
			&staging,
			messages * DIGEST,
		)?);
		first += messages;
	}
	Ok(output)
}
