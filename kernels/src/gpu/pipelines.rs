//! Compute pipelines, built once per kernel on first use and kept for the executor's lifetime.

use super::{device::Gpu, uniforms::PARAMS_SIZE};
use crate::{shaders, KernelError};
use concord_primitives::kernel::KernelId;
use std::borrow::Cow;

/// What a shader binds at each index of group 0.
#[derive(Clone, Copy)]
pub(super) enum Slot {
	/// The `Params` uniform, with a dynamic offset.
	Params,
	Read,
	ReadWrite,
}

/// How a kernel's shader is bound and entered.
pub(super) struct Spec {
	pub slots: &'static [Slot],
	pub entry_points: &'static [&'static str],
}

pub(super) struct KernelPipelines {
	pub layout: wgpu::BindGroupLayout,
	pipelines: Vec<(&'static str, wgpu::ComputePipeline)>,
}

impl KernelPipelines {
	pub fn build(gpu: &Gpu, kernel: KernelId, spec: &Spec) -> Result<Self, KernelError> {
		let device = &gpu.device;
		let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
		let entries: Vec<_> = spec
			.slots
			.iter()
			.enumerate()
			.map(|(binding, slot)| wgpu::BindGroupLayoutEntry {
				binding: binding as u32,
				visibility: wgpu::ShaderStages::COMPUTE,
				ty: match slot {
					Slot::Params => wgpu::BindingType::Buffer {
						ty: wgpu::BufferBindingType::Uniform,
						has_dynamic_offset: true,
						min_binding_size: wgpu::BufferSize::new(PARAMS_SIZE),
					},
					Slot::Read | Slot::ReadWrite => wgpu::BindingType::Buffer {
						ty: wgpu::BufferBindingType::Storage {
							read_only: matches!(slot, Slot::Read),
						},
						has_dynamic_offset: false,
						min_binding_size: None,
					},
				},
				count: None,
			})
			.collect();
		let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
			label: Some(kernel.name()),
			entries: &entries,
		});
		let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
			label: Some(kernel.name()),
			bind_group_layouts: &[Some(&layout)],
			immediate_size: 0,
		});
		let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
			label: Some(kernel.name()),
			source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(shaders::wgsl(kernel))),
		});
		let pipelines = spec
			.entry_points
			.iter()
			.map(|&entry| {
				let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
					label: Some(entry),
					layout: Some(&pipeline_layout),
					module: &module,
					entry_point: Some(entry),
					compilation_options: Default::default(),
					cache: None,
				});
				(entry, pipeline)
			})
			.collect();
		if let Some(error) = pollster::block_on(scope.pop()) {
			return Err(KernelError::Pipeline { kernel, message: error.to_string() });
		}
		Ok(KernelPipelines { layout, pipelines })
	}

	/// The pipeline of `entry`, one of the spec's entry points.
	pub fn entry(&self, entry: &str) -> &wgpu::ComputePipeline {
		self.pipelines
			.iter()
			.find(|(name, _)| *name == entry)
			.map(|(_, pipeline)| pipeline)
			.unwrap_or(&self.pipelines[0].1)
	}

	/// A bind group with `resources` at bindings 0, 1, 2, ...
	pub fn bind(&self, gpu: &Gpu, resources: &[wgpu::BindingResource<'_>]) -> wgpu::BindGroup {
		let entries: Vec<_> = resources
			.iter()
			.enumerate()
			.map(|(i, resource)| wgpu::BindGroupEntry {
				binding: i as u32,
				resource: resource.clone(),
			})
			.collect();
		gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
			label: None,
			layout: &self.layout,
			entries: &entries,
		})
	}
}
