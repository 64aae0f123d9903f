//! mlp-i8: per sample, `acc_j = b_j + sum_i W[j][i] * x_i`; hidden layers apply
//! `min(max(acc >> shift, 0), 127)`, the last layer outputs `acc`.

use concord_primitives::kernel::MlpShape;

pub(super) fn run(s: &MlpShape, input: &[u8]) -> Vec<u8> {
	let layers: Vec<Layer> = (1..=s.layers()).filter_map(|l| Layer::read(s, l, input)).collect();
	let d0 = s.d_in() as usize;
	let samples = &input[s.samples_offset() as usize..];
	let mut out = Vec::with_capacity(s.batch as usize * s.d_out() as usize * 4);
	for sample in samples.chunks_exact(d0) {
		let mut x: Vec<i32> = sample.iter().map(|&v| i32::from(v as i8)).collect();
		for (l, layer) in layers.iter().enumerate() {
			let mut acc = layer.forward(&x);
			if l + 1 < layers.len() {
				for a in &mut acc {
					*a = (*a >> layer.shift).clamp(0, 127);
				}
			}
			x = acc;
		}
		out.extend(x.iter().flat_map(|v| v.to_le_bytes()));
	}
	out
}

struct Layer<'a> {
	d_in: usize,
	weights: &'a [u8],
	bias: Vec<i32>,
	shift: u32,
}

impl<'a> Layer<'a> {
	fn read(s: &MlpShape, layer: u32, input: &'a [u8]) -> Option<Layer<'a>> {
		let l = s.layer(layer)?;
		let (w, b, sh) =
			(l.weights_offset as usize, l.bias_offset as usize, l.shift_offset as usize);
		let shift = u32::from_le_bytes(input.get(sh..sh + 4)?.try_into().ok()?);
		Some(Layer {
			d_in: l.d_in as usize,
			weights: input.get(w..b)?,
			bias: super::read_i32s(input.get(b..sh)?),
			shift,
		})
	}

	fn forward(&self, x: &[i32]) -> Vec<i32> {
		self.bias
			.iter()
			.zip(self.weights.chunks_exact(self.d_in))
			.map(|(&b, row)| {
				row.iter()
					.zip(x)
					.fold(b, |acc, (&w, &xi)| acc.wrapping_add(i32::from(w as i8) * xi))
			})
			.collect()
	}
}
