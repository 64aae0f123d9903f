//! How fast this device runs each kernel at its worst, so that the worker knows before it
//! starts a job whether it can commit in time. Estimates keep [`window::SLACK`] below the rate:
//! until it has measured a kernel the worker assumes half the slowest rate the chain sizes
//! windows for, and once measured, half what it measured. It measures a kernel only when a job
//! of it comes near its deadline at the assumed rate: most jobs are far smaller than their
//! windows, and a measurement takes up to a second of the device.

use super::schedule::Schedule;
use super::Device;
use concord_kernels::{random, KernelError, KernelId, KernelShape};
use concord_primitives::kernel::validate_params;
use concord_primitives::market::window;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a job costs besides the kernel itself ([`window::PER_JOB_MILLIS`]).
pub const PER_JOB: Duration = Duration::from_millis(window::PER_JOB_MILLIS);

/// Work units per second on each kernel's worst case (`window::reference_params`), as this
/// device measured them.
#[derive(Default)]
pub struct Rates {
	measured: Mutex<HashMap<KernelId, f64>>,
	/// Held while measuring: one measurement at a time, each kernel once.
	measuring: Mutex<()>,
}

impl Rates {
	fn measured(&self, kernel: KernelId) -> Option<f64> {
		self.measured.lock().ok().and_then(|rates| rates.get(&kernel).copied())
	}

	/// Whether this device's rate on `kernel` has been measured.
	pub fn is_measured(&self, kernel: KernelId) -> bool {
		self.measured(kernel).is_some()
	}

	/// How long a job of `shape` takes, allowing for a loaded machine: at half the measured
	/// rate, or else at half the slowest rate the chain assumes.
	pub fn estimate(&self, shape: &KernelShape) -> Duration {
		let kernel = shape.kernel();
		let rate = self.measured(kernel).unwrap_or(window::slowest_rate(kernel) as f64);
		let seconds = shape.work_units() as f64 * window::SLACK as f64 / rate;
		PER_JOB + Duration::from_secs_f64(seconds)
	}

	/// Measures `kernel` on `device`, alone on it, unless it has been. Blocking: call it from
	/// a blocking task.
	pub fn measure(
		&self,
		device: &Device,
		schedule: &Schedule,
		kernel: KernelId,
	) -> Result<(), KernelError> {
		let _one_at_a_time = self.measuring.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if self.is_measured(kernel) {
			return Ok(());
		}
		let rate = schedule.exclusive(Duration::from_secs(2), || measure(device, kernel))?;
		if let Ok(mut rates) = self.measured.lock() {
			rates.insert(kernel, rate);
		}
		Ok(())
	}
}

/// One timed run of the kernel's worst case on random input, after an untimed one that builds
/// the GPU pipeline (the job would have built it too; its cost is in [`PER_JOB`]).
fn measure(device: &Device, kernel: KernelId) -> Result<f64, KernelError> {
	let params = window::reference_params(kernel);
	let shape = validate_params(kernel, params)?;
	let input = random::input(&shape, 1);
	if matches!(device, Device::Gpu(_)) {
		device.run(kernel, params, &input)?;
	}
	let started = Instant::now();
	device.run(kernel, params, &input)?;
	let seconds = started.elapsed().as_secs_f64().max(1e-9);
	Ok(shape.work_units() as f64 / seconds)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_job_is_estimated_at_half_the_slowest_rate_until_the_device_is_measured() {
		let rates = Rates::default();
		let kernel = KernelId::MandelbrotQ12;
		let reference = validate_params(kernel, window::reference_params(kernel)).unwrap();
		let kernel_time = |d: Duration| (d - PER_JOB).as_secs_f64();
		let assumed = kernel_time(rates.estimate(&reference));
		let slowest = reference.work_units() as f64 / window::slowest_rate(kernel) as f64;
		assert!((assumed - slowest * window::SLACK as f64).abs() < 1e-6, "{assumed}");
		assert!(!rates.is_measured(kernel));
		// The CPU reference, measured on the same worst case: the estimate is twice what the
		// measurement took, and twice the work takes twice as long.
		rates.measure(&Device::Cpu, &Schedule::default(), kernel).unwrap();
		let rate = rates.measured(kernel).expect("measured");
		let measured = kernel_time(rates.estimate(&reference));
		let slack = window::SLACK as f64;
		assert!((measured - slack * reference.work_units() as f64 / rate).abs() < 1e-6);
		let double =
			validate_params(kernel, &[512, 512, 2048, (-1536i32) as u32, (-512i32) as u32, 1])
				.unwrap();
		assert!((kernel_time(rates.estimate(&double)) - 2.0 * measured).abs() < 1e-6);
		assert!(!rates.is_measured(KernelId::SortU32), "each kernel is measured on its own");
	}
}
