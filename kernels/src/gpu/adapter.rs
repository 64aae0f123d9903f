//! Picking the adapter a worker computes on, and saying which one it picked.

use crate::KernelError;
use std::fmt;

/// Which adapter to use. [`AdapterChoice::from_env`] reads the usual knobs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdapterChoice {
	/// Comma-separated backends (`vulkan`, `metal`, `dx12`), as in `WGPU_BACKEND`; all built
	/// backends when `None`.
	pub backends: Option<String>,
	/// Case-insensitive substring of the adapter name, as in `CONCORD_ADAPTER`
	/// (e.g. `llvmpipe`, `RTX 4090`); the most capable adapter when `None`.
	pub name_contains: Option<String>,
}

impl AdapterChoice {
	/// From `WGPU_BACKEND` and `CONCORD_ADAPTER` (unset or empty means "any").
	pub fn from_env() -> Self {
		let var = |name| std::env::var(name).ok().filter(|v: &String| !v.trim().is_empty());
		AdapterChoice { backends: var("WGPU_BACKEND"), name_contains: var("CONCORD_ADAPTER") }
	}

	pub(super) fn backends(&self) -> Result<wgpu::Backends, KernelError> {
		let Some(list) = &self.backends else { return Ok(wgpu::Backends::all()) };
		let mut backends = wgpu::Backends::empty();
		for name in list.split(',').map(|n| n.trim().to_ascii_lowercase()) {
			backends |= match name.as_str() {
				"vulkan" | "vk" => wgpu::Backends::VULKAN,
				"metal" | "mtl" => wgpu::Backends::METAL,
				"dx12" | "d3d12" => wgpu::Backends::DX12,
				_ => return Err(KernelError::UnknownBackend(name)),
			};
		}
		Ok(backends)
	}
}

/// What adapter a job ran on, for logs and for the `concord kernel adapters` listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterReport {
	pub name: String,
	pub backend: String,
	pub device_type: String,
	pub driver: String,
	pub driver_info: String,
}

impl AdapterReport {
	pub(super) fn new(info: &wgpu::AdapterInfo) -> Self {
		AdapterReport {
			name: info.name.clone(),
			backend: info.backend.to_string(),
			device_type: format!("{:?}", info.device_type),
			driver: info.driver.clone(),
			driver_info: info.driver_info.clone(),
		}
	}
}

impl fmt::Display for AdapterReport {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "{} ({}, {}", self.name, self.backend, self.device_type)?;
		if !self.driver.is_empty() {
			write!(f, ", driver {} {}", self.driver, self.driver_info)?;
		}
		write!(f, ")")
	}
}

pub(super) fn instance(choice: &AdapterChoice) -> Result<wgpu::Instance, KernelError> {
	let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
	desc.backends = choice.backends()?;
	desc.flags = wgpu::InstanceFlags::from_build_config().with_env();
	Ok(wgpu::Instance::new(desc))
}

/// Every compute-capable adapter on the chosen backends (the name filter is not applied).
pub fn list_adapters(choice: &AdapterChoice) -> Result<Vec<AdapterReport>, KernelError> {
	let instance = instance(choice)?;
	let adapters = compute_adapters(&instance, choice)?;
	Ok(adapters.iter().map(|a| AdapterReport::new(&a.get_info())).collect())
}

fn compute_adapters(
	instance: &wgpu::Instance,
	choice: &AdapterChoice,
) -> Result<Vec<wgpu::Adapter>, KernelError> {
	let adapters = pollster::block_on(instance.enumerate_adapters(choice.backends()?));
	Ok(adapters
		.into_iter()
		.filter(|a| {
			a.get_downlevel_capabilities().flags.contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
		})
		.collect())
}

/// The adapter named by `choice`, else the most capable one: discrete, then integrated, then
/// virtual, then anything else, software last.
pub(super) fn select(
	instance: &wgpu::Instance,
	choice: &AdapterChoice,
) -> Result<wgpu::Adapter, KernelError> {
	let adapters = compute_adapters(instance, choice)?;
	if adapters.is_empty() {
		return Err(KernelError::NoAdapter);
	}
	let rank = |a: &wgpu::Adapter| match a.get_info().device_type {
		wgpu::DeviceType::DiscreteGpu => 0,
		wgpu::DeviceType::IntegratedGpu => 1,
		wgpu::DeviceType::VirtualGpu => 2,
		wgpu::DeviceType::Other => 3,
		wgpu::DeviceType::Cpu => 4,
	};
	let wanted = choice.name_contains.as_ref().map(|n| n.to_lowercase());
	let available =
		adapters.iter().map(|a| AdapterReport::new(&a.get_info()).to_string()).collect::<Vec<_>>();
	adapters
		.into_iter()
		.filter(|a| wanted.as_ref().is_none_or(|w| a.get_info().name.to_lowercase().contains(w)))
		.min_by_key(rank)
		.ok_or_else(|| KernelError::NoMatchingAdapter {
			wanted: choice.name_contains.clone().unwrap_or_default(),
			available: available.join("; "),
		})
}
