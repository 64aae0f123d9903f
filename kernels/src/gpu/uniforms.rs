//! Per-dispatch parameters: one uniform buffer of 32-byte slots at the device's dynamic-offset
//! alignment, so one bind group serves every dispatch of a job.

use super::{buffers::BufferPool, device::Gpu};

/// Eight `u32`s, the `Params` struct every shader declares.
pub(super) type Params = [u32; 8];
pub(super) const PARAMS_SIZE: u64 = 32;

pub(super) struct UniformSlots {
	pub buffer: wgpu::Buffer,
	stride: u32,
}

impl UniformSlots {
	/// Uploads `slots` (written before the next submit, as queue writes are).
	pub fn upload(gpu: &Gpu, pool: &mut BufferPool, slots: &[Params]) -> UniformSlots {
		let stride = gpu.limits.min_uniform_buffer_offset_alignment.max(PARAMS_SIZE as u32);
		let size = (slots.len().max(1) as u64) * u64::from(stride);
		let usage = wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST;
		let buffer = pool.get(&gpu.device, "params", size, usage);
		let mut bytes = vec![0u8; size as usize];
		for (i, slot) in slots.iter().enumerate() {
			let at = i * stride as usize;
			bytes[at..at + PARAMS_SIZE as usize].copy_from_slice(bytemuck::cast_slice(slot));
		}
		gpu.queue.write_buffer(&buffer, 0, &bytes);
		UniformSlots { buffer, stride }
	}

	/// The dynamic offset of slot `i`.
	pub fn offset(&self, i: usize) -> u32 {
		self.stride * i as u32
	}

	pub fn binding(&self) -> wgpu::BindingResource<'_> {
		wgpu::BindingResource::Buffer(wgpu::BufferBinding {
			buffer: &self.buffer,
			offset: 0,
			size: wgpu::BufferSize::new(PARAMS_SIZE),
		})
	}
}
