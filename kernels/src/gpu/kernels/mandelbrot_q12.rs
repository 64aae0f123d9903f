//! mandelbrot-q12: one invocation per pixel. A render whose work exceeds one submit's budget is
//! split into bands of rows, each its own dispatch and submit.

use super::{dispatch, pass, Ctx};
use crate::{
	gpu::{
		pipelines::{Slot, Spec},
		uniforms::{Params, UniformSlots},
	},
	KernelError,
};
use concord_primitives::kernel::MandelbrotShape;

pub(in crate::gpu) const SPEC: Spec =
	Spec { slots: &[Slot::Params, Slot::ReadWrite], entry_points: &["main"] };

const WG: u32 = 64;

pub(super) fn run(ctx: &mut Ctx<'_>, s: &MandelbrotShape) -> Result<Vec<u8>, KernelError> {
	let (width, height) = (u64::from(s.width), u64::from(s.height));
	let out_len = width * height * 4;
	let out_buf = ctx.storage("mandelbrot.out", out_len)?;
	let staging = ctx.staging(out_len)?;

	let row_work = width * u64::from(s.max_iter);
	let band = (ctx.split.submit_work.max(1) / row_work).clamp(1, height);
	let bands: Vec<(u64, u64)> =
		(0..height).step_by(band as usize).map(|row0| (row0, band.min(height - row0))).collect();
	let params: Vec<Params> = bands
		.iter()
		.map(|&(row0, rows)| {
			[
				s.width,
				s.height,
				s.max_iter,
				s.cx as u32,
				s.cy as u32,
				s.step as u32,
				row0 as u32,
				rows as u32,
			]
		})
		.collect();
	let slots = UniformSlots::upload(ctx.gpu, ctx.pool, &params);
	let bind = ctx.pipes.bind(ctx.gpu, &[slots.binding(), out_buf.as_entire_binding()]);

	for (i, &(_, rows)) in bands.iter().enumerate() {
		let mut encoder = ctx.gpu.encoder();
		let groups = ctx.grid(rows * width, WG)?;
		dispatch(&mut pass(&mut encoder), ctx.pipes.entry("main"), &bind, slots.offset(i), groups);
		if i + 1 < bands.len() {
			ctx.gpu.submit_and_wait(ctx.kernel, encoder)?;
		} else {
			return ctx.gpu.submit_and_read(ctx.kernel, encoder, &out_buf, &staging, out_len);
		}
	}
	Err(crate::KernelError::Gpu { kernel: ctx.kernel, message: "no rows to render".into() })
}
