//! The opened device: its queue and limits, error capture, uploads and readback.

use super::adapter::{self, AdapterChoice, AdapterReport};
use crate::KernelError;
use concord_primitives::kernel::KernelId;
use std::sync::{mpsc, Arc, Mutex};

/// A device and queue on the chosen adapter, with the adapter's full limits.
pub(super) struct Gpu {
	pub device: wgpu::Device,
	pub queue: wgpu::Queue,
	pub limits: wgpu::Limits,
	pub report: AdapterReport,
	/// Set by wgpu when the device is lost; every later job fails with this reason.
	lost: Arc<Mutex<Option<String>>>,
	/// Errors raised outside any error scope (should not happen; checked after each job).
	uncaptured: Arc<Mutex<Vec<String>>>,
}

impl Gpu {
	pub fn open(choice: &AdapterChoice) -> Result<Gpu, KernelError> {
		let instance = adapter::instance(choice)?;
		let adapter = adapter::select(&instance, choice)?;
		let report = AdapterReport::new(&adapter.get_info());
		// Ask for everything the adapter offers: bigger buffers mean fewer split jobs.
		let limits = adapter.limits();
		let desc = wgpu::DeviceDescriptor {
			label: Some("concord-kernels"),
			required_features: wgpu::Features::empty(),
			required_limits: limits.clone(),
			experimental_features: wgpu::ExperimentalFeatures::disabled(),
			memory_hints: wgpu::MemoryHints::Performance,
			trace: wgpu::Trace::Off,
		};
		let (device, queue) = pollster::block_on(adapter.request_device(&desc)).map_err(|e| {
			KernelError::RequestDevice { adapter: report.to_string(), message: e.to_string() }
		})?;
		let lost = Arc::new(Mutex::new(None));
		let lost_in_callback = lost.clone();
		device.set_device_lost_callback(move |reason, message| {
			if let Ok(mut lost) = lost_in_callback.lock() {
				*lost = Some(format!("device lost ({reason:?}): {message}"));
			}
		});
		let uncaptured = Arc::new(Mutex::new(Vec::new()));
		let uncaptured_in_handler = uncaptured.clone();
		device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
			if let Ok(mut errors) = uncaptured_in_handler.lock() {
				errors.push(error.to_string());
			}
		}));
		Ok(Gpu { device, queue, limits, report, lost, uncaptured })
	}

	/// Runs `work` inside validation, out-of-memory and internal error scopes; any error wgpu
	/// reports there, or a lost device, turns the result into an error. Because the scopes are
	/// popped after readback, an output is only returned if nothing went wrong producing it.
	pub fn scoped<T>(
		&self,
		kernel: KernelId,
		work: impl FnOnce() -> Result<T, KernelError>,
	) -> Result<T, KernelError> {
		let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
		let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
		let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
		let result = work();
		let errors = [internal.pop(), oom.pop(), validation.pop()]
			.into_iter()
			.filter_map(pollster::block_on)
			.map(|e| e.to_string())
			.collect::<Vec<_>>();
		self.health(kernel)?;
		if !errors.is_empty() {
			return Err(KernelError::Gpu { kernel, message: errors.join("; ") });
		}
		result
	}

	/// Fails if the device was lost or reported an error outside a scope.
	pub fn health(&self, kernel: KernelId) -> Result<(), KernelError> {
		let lost = self.lost.lock().ok().and_then(|l| l.clone());
		if let Some(message) = lost {
			return Err(KernelError::Gpu { kernel, message });
		}
		let uncaptured = self.uncaptured.lock().map(|mut e| std::mem::take(&mut *e));
		match uncaptured {
			Ok(errors) if errors.is_empty() => Ok(()),
			Ok(errors) => Err(KernelError::Gpu { kernel, message: errors.join("; ") }),
			Err(_) => Err(KernelError::Gpu { kernel, message: "error log poisoned".into() }),
		}
	}

	/// Refuses a binding larger than the device allows, naming what it was for.
	pub fn check_binding(
		&self,
		kernel: KernelId,
		what: &'static str,
		bytes: u64,
	) -> Result<(), KernelError> {
		let limit = self.limits.max_storage_buffer_binding_size.min(self.limits.max_buffer_size);
		if bytes > limit {
			return Err(KernelError::ExceedsDeviceLimits { kernel, what, needed: bytes, limit });
		}
		Ok(())
	}

	/// Writes `bytes` at `offset`, zero-padding the tail to the 4-byte copy alignment.
	pub fn write(&self, buffer: &wgpu::Buffer, offset: u64, bytes: &[u8]) {
		let whole = bytes.len() / 4 * 4;
		if whole > 0 {
			self.queue.write_buffer(buffer, offset, &bytes[..whole]);
		}
		if whole < bytes.len() {
			let mut tail = [0u8; 4];
			tail[..bytes.len() - whole].copy_from_slice(&bytes[whole..]);
			self.queue.write_buffer(buffer, offset + whole as u64, &tail);
		}
	}

	/// Copies `len` bytes of `src` into `staging`, submits `encoder`, waits, and reads them.
	pub fn submit_and_read(
		&self,
		kernel: KernelId,
		mut encoder: wgpu::CommandEncoder,
		src: &wgpu::Buffer,
		staging: &wgpu::Buffer,
		len: u64,
	) -> Result<Vec<u8>, KernelError> {
		let gpu_err = |message: String| KernelError::Gpu { kernel, message };
		encoder.copy_buffer_to_buffer(src, 0, staging, 0, len);
		self.queue.submit([encoder.finish()]);
		let slice = staging.slice(0..len);
		let (sender, receiver) = mpsc::channel();
		slice.map_async(wgpu::MapMode::Read, move |result| {
			let _ = sender.send(result);
		});
		self.device
			.poll(wgpu::PollType::wait_indefinitely())
			.map_err(|e| gpu_err(format!("waiting for the GPU failed: {e}")))?;
		match receiver.try_recv() {
			Ok(Ok(())) => {}
			Ok(Err(e)) => return Err(gpu_err(format!("reading the output back failed: {e}"))),
			Err(_) => return Err(gpu_err("the output was never mapped for reading".into())),
		}
		let bytes = slice
			.get_mapped_range()
			.map(|view| view.to_vec())
			.map_err(|e| gpu_err(format!("reading the output back failed: {e}")));
		staging.unmap();
		bytes
	}

	/// Submits `encoder` and waits for it, for work whose output stays on the GPU.
	pub fn submit_and_wait(
		&self,
		kernel: KernelId,
		encoder: wgpu::CommandEncoder,
	) -> Result<(), KernelError> {
		self.queue.submit([encoder.finish()]);
		self.device.poll(wgpu::PollType::wait_indefinitely()).map(|_| ()).map_err(|e| {
			KernelError::Gpu { kernel, message: format!("waiting for the GPU failed: {e}") }
		})
	}

	pub fn encoder(&self) -> wgpu::CommandEncoder {
		self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None })
	}
}
