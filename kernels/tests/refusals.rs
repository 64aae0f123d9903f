//! Bad jobs are refused before any GPU work, with errors that say why, and the executor keeps
//! working afterwards.

mod common;

use concord_kernels::{AdapterChoice, Executor, KernelError, KernelId};

#[test]
fn invalid_jobs_are_refused_and_the_executor_recovers() {
	let Some(mut gpu) = common::executor() else { return };
	let err = gpu.run(KernelId::MatmulI8, &[2, 2, 2], &[0; 7]).unwrap_err();
	assert!(matches!(err, KernelError::Input(_)), "{err}");
	let err = gpu.run(KernelId::MatmulI8, &[2, 0, 2], &[]).unwrap_err();
	assert!(matches!(err, KernelError::Params(_)), "{err}");
	let err = gpu.run(KernelId::SortU32, &[], &[]).unwrap_err();
	assert!(matches!(err, KernelError::Params(_)), "{err}");
	// mlp-i8 with shift 40 in its only layer: W (1), b (4), shift (4), X (1).
	let mut input = vec![0u8; 10];
	input[5] = 40;
	let err = gpu.run(KernelId::MlpI8, &[1, 1, 1, 1], &input).unwrap_err();
	assert_eq!(err.to_string(), "invalid input: mlp-i8 layer 1 has shift 40, it must be in 0..=31");

	let out = gpu.run(KernelId::SortU32, &[2], &[2, 0, 0, 0, 1, 0, 0, 0]).unwrap();
	assert_eq!(out, [1, 0, 0, 0, 2, 0, 0, 0]);
}

#[test]
fn a_known_answer_on_the_gpu() {
	let Some(mut gpu) = common::executor() else { return };
	let out = gpu.run(KernelId::MatmulI8, &[2, 2, 2], &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
	let c: Vec<i32> =
		out.chunks_exact(4).map(|b| i32::from_le_bytes(b.try_into().unwrap())).collect();
	assert_eq!(c, [19, 22, 43, 50]);
}

#[test]
fn unknown_backends_are_named() {
	let choice = AdapterChoice { backends: Some("vulkan,gl".into()), name_contains: None };
	let err = Executor::new(choice).err().expect("gl is not built");
	assert_eq!(
		err.to_string(),
		"unknown backend \"gl\" in WGPU_BACKEND; use vulkan, metal or dx12"
	);
}

#[cfg(target_os = "linux")]
#[test]
fn no_adapter_says_what_to_install() {
	// Metal has no adapters on Linux, so this is the machine-without-a-GPU case.
	let choice = AdapterChoice { backends: Some("metal".into()), name_contains: None };
	let err = Executor::new(choice).err().expect("no Metal adapter on Linux");
	assert!(matches!(err, KernelError::NoAdapter));
	assert_eq!(
		err.to_string(),
		"no GPU adapter found (install mesa-vulkan-drivers for a software Vulkan device)"
	);
}

#[test]
fn an_unmatched_adapter_name_lists_the_available_ones() {
	if common::executor().is_none() {
		return;
	}
	let choice = AdapterChoice {
		name_contains: Some("no-such-gpu-anywhere".into()),
		..AdapterChoice::from_env()
	};
	let err = Executor::new(choice).err().expect("no adapter has that name");
	assert!(matches!(err, KernelError::NoMatchingAdapter { .. }), "{err}");
}
