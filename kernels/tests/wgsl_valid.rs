//! Every kernel's WGSL parses and validates with naga (the compiler wgpu itself uses), without
//! needing a GPU.

use concord_kernels::{shaders, KernelId};

#[test]
fn every_shader_validates() {
	for kernel in KernelId::ALL {
		let source = shaders::wgsl(kernel);
		let module = naga::front::wgsl::parse_str(source)
			.unwrap_or_else(|e| panic!("{kernel}: {}", e.emit_to_string(source)));
		naga::valid::Validator::new(
			naga::valid::ValidationFlags::all(),
			naga::valid::Capabilities::empty(),
		)
		.validate(&module)
		.unwrap_or_else(|e| panic!("{kernel}: {}", e.emit_to_string(source)));
	}
}

#[test]
fn shaders_use_no_floats_or_atomics() {
	// Determinism by construction: integer arithmetic only, no atomics, no subgroup operations.
	for kernel in KernelId::ALL {
		let module = naga::front::wgsl::parse_str(shaders::wgsl(kernel)).unwrap();
		for (_, ty) in module.types.iter() {
			let scalar = match &ty.inner {
				naga::TypeInner::Scalar(s) | naga::TypeInner::Vector { scalar: s, .. } => Some(*s),
				naga::TypeInner::Atomic(_) => panic!("{kernel} uses an atomic"),
				_ => None,
			};
			if let Some(s) = scalar {
				assert_ne!(s.kind, naga::ScalarKind::Float, "{kernel} uses a float type");
			}
		}
		assert!(!shaders::wgsl(kernel).contains("subgroup"), "{kernel} depends on subgroups");
	}
}
