//! Buffers kept between jobs by role, so repeated jobs of similar size allocate nothing.

use std::collections::HashMap;

/// Storage for GPU inputs, outputs and intermediates.
pub(super) const STORAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
	.union(wgpu::BufferUsages::COPY_DST)
	.union(wgpu::BufferUsages::COPY_SRC);
/// CPU-readable copies of outputs.
pub(super) const STAGING: wgpu::BufferUsages =
	wgpu::BufferUsages::MAP_READ.union(wgpu::BufferUsages::COPY_DST);

#[derive(Default)]
pub(super) struct BufferPool {
	buffers: HashMap<&'static str, wgpu::Buffer>,
}

impl BufferPool {
	/// The buffer for `role`, at least `size` bytes (rounded up to a non-zero multiple of 4),
	/// reused when the one from an earlier job is big enough.
	pub fn get(
		&mut self,
		device: &wgpu::Device,
		role: &'static str,
		size: u64,
		usage: wgpu::BufferUsages,
	) -> wgpu::Buffer {
		let size = size.max(4).div_ceil(4) * 4;
		if let Some(buffer) = self.buffers.get(role) {
			if buffer.size() >= size && buffer.usage() == usage {
				return buffer.clone();
			}
		}
		let buffer = device.create_buffer(&wgpu::BufferDescriptor {
			label: Some(role),
			size,
			usage,
			mapped_at_creation: false,
		});
		self.buffers.insert(role, buffer.clone());
		buffer
	}

	/// Drops every buffer, after a failed job (a buffer may be invalid) or to free memory.
	pub fn clear(&mut self) {
		self.buffers.clear();
	}
}
