//! Contract tests: known values from KERNELS.md worked by hand, and properties checked against
//! an independent `u128` model of the contract.

use super::shape::{ceil_log2, Sha256Shape};
use super::*;
use codec::{Decode, Encode, MaxEncodedLen};
use proptest::prelude::*;

fn shape(kernel: KernelId, params: &[u32]) -> KernelShape {
	validate_params(kernel, params).expect("params are valid")
}

#[test]
fn names_round_trip_and_are_unique() {
	for kernel in KernelId::ALL {
		assert_eq!(KernelId::from_name(kernel.name()), Some(kernel));
		assert_eq!(kernel.name().parse::<KernelId>(), Ok(kernel));
	}
	assert_eq!(KernelId::from_name("matmul"), None);
	assert_eq!(KernelId::from_name("MATMUL-I8"), None);
}

#[test]
fn scale_encoding_is_the_stable_index() {
	assert_eq!(KernelId::max_encoded_len(), 1);
	for (index, kernel) in KernelId::ALL.into_iter().enumerate() {
		assert_eq!(kernel.encode(), vec![index as u8]);
		assert_eq!(KernelId::decode(&mut &[index as u8][..]), Ok(kernel));
	}
	assert!(KernelId::decode(&mut &[6u8][..]).is_err());
}

#[test]
fn matmul_sizes_and_cost() {
	let s = shape(KernelId::MatmulI8, &[2, 3, 4]);
	assert_eq!((s.input_len(), s.output_len(), s.work_units()), (2 * 3 + 3 * 4, 2 * 4 * 4, 24));
	let max = shape(KernelId::MatmulI8, &[4096, 4096, 4096]);
	assert_eq!(max.work_units(), 1 << 36);
}

#[test]
fn matmul_bounds() {
	let err = validate_params(KernelId::MatmulI8, &[2, 0, 4]).unwrap_err();
	assert_eq!(
		err,
		ParamsError::OutOfRange {
			kernel: KernelId::MatmulI8,
			index: 1,
			name: "k",
			value: 0,
			min: 1,
			max: 4096
		}
	);
	assert!(validate_params(KernelId::MatmulI8, &[4097, 1, 1]).is_err());
	assert_eq!(
		validate_params(KernelId::MatmulI8, &[1, 1]),
		Err(ParamsError::WrongParamCount { kernel: KernelId::MatmulI8, min: 3, max: 3, got: 2 })
	);
}

#[test]
fn mlp_layout_sizes_and_cost() {
	// batch 5, two layers 3 -> 2 -> 4.
	let s = shape(KernelId::MlpI8, &[5, 2, 3, 2, 4]);
	let KernelShape::MlpI8(mlp) = s else { panic!("mlp shape") };
	assert_eq!(mlp.dims(), &[3, 2, 4]);
	let l1 = mlp.layer(1).unwrap();
	assert_eq!((l1.weights_offset, l1.bias_offset, l1.shift_offset), (0, 6, 14));
	let l2 = mlp.layer(2).unwrap();
	assert_eq!((l2.d_in, l2.d_out), (2, 4));
	assert_eq!((l2.weights_offset, l2.bias_offset, l2.shift_offset), (18, 26, 42));
	assert_eq!(mlp.samples_offset(), 46);
	assert_eq!(mlp.layer(0), None);
	assert_eq!(mlp.layer(3), None);
	assert_eq!(s.input_len(), 46 + 5 * 3);
	assert_eq!(s.output_len(), 5 * 4 * 4);
	assert_eq!(s.work_units(), 5 * (3 * 2 + 2 * 4));
}

#[test]
fn mlp_bounds() {
	let count =
		|got| ParamsError::WrongParamCount { kernel: KernelId::MlpI8, min: 4, max: 10, got };
	assert_eq!(validate_params(KernelId::MlpI8, &[1, 1, 2]), Err(count(3)));
	assert_eq!(validate_params(KernelId::MlpI8, &[1; 11]), Err(count(11)));
	// L = 2 needs exactly 5 params.
	assert_eq!(
		validate_params(KernelId::MlpI8, &[1, 2, 3, 4]),
		Err(ParamsError::WrongParamCount { kernel: KernelId::MlpI8, min: 5, max: 5, got: 4 })
	);
	assert!(matches!(
		validate_params(KernelId::MlpI8, &[1, 0, 3, 4]),
		Err(ParamsError::OutOfRange { name: "L", .. })
	));
	assert!(matches!(
		validate_params(KernelId::MlpI8, &[1, 8, 1, 1, 1, 1, 1, 1, 1, 1]),
		Err(ParamsError::OutOfRange { name: "L", .. })
	));
	assert!(matches!(
		validate_params(KernelId::MlpI8, &[65537, 1, 3, 4]),
		Err(ParamsError::OutOfRange { name: "batch", .. })
	));
	assert!(matches!(
		validate_params(KernelId::MlpI8, &[1, 2, 3, 4097, 4]),
		Err(ParamsError::OutOfRange { index: 3, name: "d1", .. })
	));
	let max = [65536, 7, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096];
	assert_eq!(max.len() as u32, MAX_PARAMS);
	assert_eq!(work_units(KernelId::MlpI8, &max), Ok(65536 * 7 * 4096 * 4096));
}

#[test]
fn mandelbrot_signed_params() {
	let cx = (-8192i32) as u32;
	let s = shape(KernelId::MandelbrotQ12, &[4, 3, 100, cx, cx, 16]);
	let KernelShape::MandelbrotQ12(m) = s else { panic!("mandelbrot shape") };
	assert_eq!((m.cx, m.cy, m.step), (-8192, -8192, 16));
	assert_eq!((s.input_len(), s.output_len(), s.work_units()), (0, 48, 1200));
	assert_eq!(
		validate_params(KernelId::MandelbrotQ12, &[4, 3, 100, 0, 0, (-1i32) as u32]),
		Err(ParamsError::OutOfRange {
			kernel: KernelId::MandelbrotQ12,
			index: 5,
			name: "step",
			value: -1,
			min: 1,
			max: i32::MAX as i64
		})
	);
	assert!(validate_params(KernelId::MandelbrotQ12, &[4, 3, 0, 0, 0, 1]).is_err());
	assert!(validate_params(KernelId::MandelbrotQ12, &[4, 3, 65536, 0, 0, 1]).is_err());
}

#[test]
fn stencil_bounds_and_cost() {
	assert_eq!(work_units(KernelId::Stencil2dI32, &[3, 4, 5]), Ok(60));
	assert_eq!(input_len(KernelId::Stencil2dI32, &[3, 4, 5]), Ok(48));
	assert!(validate_params(KernelId::Stencil2dI32, &[2, 4, 5]).is_err());
	assert!(validate_params(KernelId::Stencil2dI32, &[3, 4, 0]).is_err());
	assert!(validate_params(KernelId::Stencil2dI32, &[3, 4, 100_001]).is_err());
}

#[test]
fn sort_cost_uses_ceil_log2_at_least_one() {
	let cost = |n| work_units(KernelId::SortU32, &[n]).unwrap();
	assert_eq!(cost(1), 1);
	assert_eq!(cost(2), 2);
	assert_eq!(cost(3), 6);
	assert_eq!(cost(4), 8);
	assert_eq!(cost(5), 15);
	assert_eq!(cost(16_777_216), 16_777_216 * 24);
	assert!(validate_params(KernelId::SortU32, &[0]).is_err());
	assert!(validate_params(KernelId::SortU32, &[16_777_217]).is_err());
}

#[test]
fn sha256_blocks_match_the_padding_rule() {
	// 55 bytes + 0x80 + 8-byte length fill one block exactly; 56 spill into a second.
	let blocks = |msg_len| Sha256Shape { msg_len, count: 1 }.blocks_per_message();
	assert_eq!([0, 55, 56, 64, 119, 120, 4096].map(blocks), [1, 1, 2, 2, 2, 3, 65]);
	assert_eq!(work_units(KernelId::Sha256Batch, &[56, 10]), Ok(20));
	assert_eq!(input_len(KernelId::Sha256Batch, &[4096, 1_048_576]), Ok(1 << 32));
	assert_eq!(output_len(KernelId::Sha256Batch, &[0, 3]), Ok(96));
	assert!(validate_params(KernelId::Sha256Batch, &[4097, 1]).is_err());
	assert!(validate_params(KernelId::Sha256Batch, &[0, 0]).is_err());
}

#[test]
fn check_input_refuses_wrong_length_and_bad_shift() {
	let s = shape(KernelId::MlpI8, &[1, 1, 1, 1]);
	// W (1 byte), b (4), shift (4), X (1).
	let mut input = vec![0u8; 10];
	assert_eq!(check_input(&s, &input), Ok(()));
	input[5] = 31;
	assert_eq!(check_input(&s, &input), Ok(()));
	input[5] = 32;
	assert_eq!(
		check_input(&s, &input),
		Err(InputError::MlpShiftOutOfRange { layer: 1, shift: 32 })
	);
	assert_eq!(
		check_input(&s, &input[..9]),
		Err(InputError::LengthMismatch { expected: 10, got: 9 })
	);
}

#[test]
fn errors_read_well() {
	let err = validate_params(KernelId::SortU32, &[0]).unwrap_err();
	assert_eq!(err.to_string(), "sort-u32 param 0 (`n`) is 0, it must be in 1..=16777216");
	let err = validate_params(KernelId::SortU32, &[]).unwrap_err();
	assert_eq!(err.to_string(), "sort-u32 takes 1 params, got 0");
}

/// The contract's bounds, restated independently: `(min, max)` per param, or `None` when the
/// param count is wrong.
fn model_bounds(kernel: KernelId, params: &[u32]) -> Option<Vec<(i64, i64)>> {
	let u = |max: u32| (1i64, max as i64);
	let bounds = match kernel {
		KernelId::MatmulI8 => vec![u(4096); 3],
		KernelId::MlpI8 => {
			let layers = *params.get(1)? as usize;
			let mut b = vec![u(65536), u(7)];
			if !(1..=7).contains(&layers) {
				b.resize(params.len().max(4), (i64::MIN, i64::MAX));
				return (params.len() >= 4 && params.len() <= 10).then_some(b);
			}
			b.extend(std::iter::repeat_n(u(4096), layers + 1));
			b
		}
		KernelId::MandelbrotQ12 => vec![
			u(4096),
			u(4096),
			u(65535),
			(i32::MIN as i64, i32::MAX as i64),
			(i32::MIN as i64, i32::MAX as i64),
			(1, i32::MAX as i64),
		],
		KernelId::Stencil2dI32 => vec![(3, 4096), (3, 4096), u(100_000)],
		KernelId::SortU32 => vec![u(16_777_216)],
		KernelId::Sha256Batch => vec![(0, 4096), u(1_048_576)],
	};
	(bounds.len() == params.len()).then_some(bounds)
}

fn model_valid(kernel: KernelId, params: &[u32]) -> bool {
	let signed = kernel == KernelId::MandelbrotQ12;
	model_bounds(kernel, params).is_some_and(|bounds| {
		params.iter().zip(&bounds).enumerate().all(|(i, (&p, &(min, max)))| {
			let v = if signed && i >= 3 { p as i32 as i64 } else { p as i64 };
			(min..=max).contains(&v)
		})
	})
}

/// `(input_len, output_len, work_units)` in `u128`, straight from KERNELS.md.
fn model_sizes(kernel: KernelId, p: &[u32]) -> (u128, u128, u128) {
	let p: Vec<u128> = p.iter().map(|&v| v as u128).collect();
	match kernel {
		KernelId::MatmulI8 => (p[0] * p[1] + p[1] * p[2], 4 * p[0] * p[2], p[0] * p[1] * p[2]),
		KernelId::MlpI8 => {
			let d = &p[2..];
			let per_layer: u128 = d.windows(2).map(|w| w[1] * w[0] + 4 * w[1] + 4).sum();
			let weights: u128 = d.windows(2).map(|w| w[1] * w[0]).sum();
			(per_layer + p[0] * d[0], 4 * p[0] * d[d.len() - 1], p[0] * weights)
		}
		KernelId::MandelbrotQ12 => (0, 4 * p[0] * p[1], p[0] * p[1] * p[2]),
		KernelId::Stencil2dI32 => (4 * p[0] * p[1], 4 * p[0] * p[1], p[0] * p[1] * p[2]),
		KernelId::SortU32 => {
			let log = (0..64).find(|&e| (1u128 << e) >= p[0]).unwrap_or(64).max(1);
			(4 * p[0], 4 * p[0], p[0] * log)
		}
		KernelId::Sha256Batch => (p[0] * p[1], 32 * p[1], p[1] * ((p[0] + 8) / 64 + 1)),
	}
}

fn any_kernel() -> impl Strategy<Value = KernelId> {
	proptest::sample::select(KernelId::ALL.to_vec())
}

/// Params mostly near the bounds, sometimes anywhere in `u32`.
fn any_param() -> impl Strategy<Value = u32> {
	prop_oneof![0u32..10, 4090u32..4100, 65530u32..65540, 16_777_210u32..16_777_220, any::<u32>()]
}

proptest! {
	#[test]
	fn validation_agrees_with_the_model(
		kernel in any_kernel(),
		params in proptest::collection::vec(any_param(), 0..12),
	) {
		let result = validate_params(kernel, &params);
		prop_assert_eq!(result.is_ok(), model_valid(kernel, &params), "{:?}", result);
		if let Ok(shape) = result {
			prop_assert_eq!(shape.kernel(), kernel);
			let (input, output, work) = model_sizes(kernel, &params);
			prop_assert_eq!(shape.input_len() as u128, input);
			prop_assert_eq!(shape.output_len() as u128, output);
			prop_assert_eq!(shape.work_units() as u128, work);
		}
	}

	#[test]
	fn valid_mlp_params_are_accepted(
		batch in 1u32..=65536,
		dims in proptest::collection::vec(1u32..=4096, 2..=8),
	) {
		let mut params = vec![batch, dims.len() as u32 - 1];
		params.extend(&dims);
		let shape = validate_params(KernelId::MlpI8, &params).unwrap();
		let (input, output, work) = model_sizes(KernelId::MlpI8, &params);
		prop_assert_eq!(
			(shape.input_len() as u128, shape.output_len() as u128, shape.work_units() as u128),
			(input, output, work)
		);
		let KernelShape::MlpI8(mlp) = shape else { unreachable!() };
		prop_assert_eq!(mlp.dims(), &dims[..]);
	}

	#[test]
	fn ceil_log2_is_the_smallest_covering_power(n in 1u64..=(1 << 40)) {
		let e = ceil_log2(n);
		prop_assert!(1u128 << e >= n as u128);
		prop_assert!(e == 0 || (1u128 << (e - 1)) < n as u128);
	}
}
