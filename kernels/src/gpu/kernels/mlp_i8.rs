//! mlp-i8: layer by layer on the GPU, activations kept packed (one byte each) in two ping-pong
//! buffers. Samples are independent, so a large batch runs in chunks of rows that fit the
//! device; the weights are uploaded once per job.

use super::{dispatch, pass, Ctx};
use crate::{
	gpu::{
		pack,
		pipelines::{Slot, Spec},
		uniforms::{Params, UniformSlots},
	},
	KernelError,
};
use concord_primitives::kernel::{MlpShape, MLP_MAX_LAYERS};

pub(in crate::gpu) const SPEC: Spec = Spec {
	slots: &[Slot::Params, Slot::Read, Slot::Read, Slot::Read, Slot::ReadWrite],
	entry_points: &["main"],
};

const TILE: u64 = 16;
const WEIGHT_ROLES: [&str; MLP_MAX_LAYERS] =
	["mlp.w1", "mlp.w2", "mlp.w3", "mlp.w4", "mlp.w5", "mlp.w6", "mlp.w7"];
const BIAS_ROLES: [&str; MLP_MAX_LAYERS] =
	["mlp.b1", "mlp.b2", "mlp.b3", "mlp.b4", "mlp.b5", "mlp.b6", "mlp.b7"];

/// One layer, as uploaded.
struct Layer {
	d_out: u32,
	/// Words per input row.
	kw: u32,
	shift: u32,
	weights: wgpu::Buffer,
	bias: wgpu::Buffer,
}

pub(super) fn run(ctx: &mut Ctx<'_>, s: &MlpShape, input: &[u8]) -> Result<Vec<u8>, KernelError> {
	let layers = upload_layers(ctx, s, input)?;
	let d0 = s.d_in() as usize;
	let d_out = u64::from(s.d_out());
	let batch = u64::from(s.batch);

	// Rows per chunk: every activation row and output row of the chunk must fit one binding,
	// and the tile grid must fit the workgroup limit.
	let act_row = s.dims()[..s.layers() as usize]
		.iter()
		.map(|&d| pack::words(d as usize) as u64 * 4)
		.max()
		.unwrap_or(4);
	let row_bytes = act_row.max(d_out * 4);
	let grid_rows = u64::from(ctx.max_groups()) * TILE;
	let chunk = (ctx.chunk_bytes() / row_bytes).min(grid_rows).min(batch).max(1);

	let act =
		[ctx.storage("mlp.act0", chunk * act_row)?, ctx.storage("mlp.act1", chunk * act_row)?];
	let out_buf = ctx.storage("mlp.out", chunk * d_out * 4)?;
	let staging = ctx.staging(chunk * d_out * 4)?;

	// Slots: each layer for a full chunk, then each layer for the final, shorter chunk.
	let last_rows = batch - (batch - 1) / chunk * chunk;
	let slot = |rows: u64, l: usize, layer: &Layer| -> Params {
		let last = l + 1 == layers.len();
		let out_words = pack::words(layer.d_out as usize) as u32;
		[rows as u32, layer.d_out, layer.kw, out_words, layer.shift, last.into(), 0, 0]
	};
	let mut params: Vec<Params> =
		layers.iter().enumerate().map(|(l, layer)| slot(chunk, l, layer)).collect();
	params.extend(layers.iter().enumerate().map(|(l, layer)| slot(last_rows, l, layer)));
	let slots = UniformSlots::upload(ctx.gpu, ctx.pool, &params);

	let binds: Vec<wgpu::BindGroup> = layers
		.iter()
		.enumerate()
		.map(|(l, layer)| {
			let y = if l + 1 == layers.len() { &out_buf } else { &act[(l + 1) % 2] };
			ctx.pipes.bind(
				ctx.gpu,
				&[
					slots.binding(),
					act[l % 2].as_entire_binding(),
					layer.weights.as_entire_binding(),
					layer.bias.as_entire_binding(),
					y.as_entire_binding(),
				],
			)
		})
		.collect();

	let samples = &input[ctx.usize(s.samples_offset())?..];
	let mut output = Vec::with_capacity(ctx.usize(batch * d_out * 4)?);
	let mut row0 = 0u64;
	while row0 < batch {
		let rows = chunk.min(batch - row0);
		let first_slot = if rows == chunk { 0 } else { layers.len() };
		let x = &samples[row0 as usize * d0..(row0 + rows) as usize * d0];
		ctx.gpu.write(&act[0], 0, &pack::rows(x, rows as usize, d0));
		let mut encoder = ctx.gpu.encoder();
		{
			let mut pass = pass(&mut encoder);
			for (l, layer) in layers.iter().enumerate() {
				let groups = (
					ctx.groups(u64::from(layer.d_out).div_ceil(TILE))?,
					ctx.groups(rows.div_ceil(TILE))?,
				);
				dispatch(
					&mut pass,
					ctx.pipes.entry("main"),
					&binds[l],
					slots.offset(first_slot + l),
					groups,
				);
			}
		}
		let bytes = rows * d_out * 4;
		output.extend(ctx.gpu.submit_and_read(ctx.kernel, encoder, &out_buf, &staging, bytes)?);
		row0 += rows;
	}
	Ok(output)
}

fn upload_layers(ctx: &mut Ctx<'_>, s: &MlpShape, input: &[u8]) -> Result<Vec<Layer>, KernelError> {
	let mut layers = Vec::with_capacity(s.layers() as usize);
	for l in 1..=s.layers() {
		let Some(at) = s.layer(l) else { break };
		let (d_in, d_out) = (at.d_in as usize, at.d_out as usize);
		let w = ctx.usize(at.weights_offset)?;
		let b = ctx.usize(at.bias_offset)?;
		let sh = ctx.usize(at.shift_offset)?;
		let weights_packed = pack::rows(&input[w..b], d_out, d_in);
		let weights = ctx.storage(WEIGHT_ROLES[l as usize - 1], weights_packed.len() as u64)?;
		let bias = ctx.storage(BIAS_ROLES[l as usize - 1], (sh - b) as u64)?;
		ctx.gpu.write(&weights, 0, &weights_packed);
		ctx.gpu.write(&bias, 0, &input[b..sh]);
		let shift = u32::from_le_bytes([input[sh], input[sh + 1], input[sh + 2], input[sh + 3]]);
		layers.push(Layer { d_out: at.d_out, kw: pack::words(d_in) as u32, shift, weights, bias });
	}
	Ok(layers)
}
