//! Known answers worked out by hand from KERNELS.md, and the FIPS 180-2 SHA-256 vectors.

use super::mandelbrot_q12::iterations;
use crate::{cpu, KernelError, KernelId};

fn i32s(bytes: &[u8]) -> Vec<i32> {
	super::read_i32s(bytes)
}

fn u32s(bytes: &[u8]) -> Vec<u32> {
	bytes.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect()
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn i8s(values: &[i8]) -> Vec<u8> {
	values.iter().map(|&v| v as u8).collect()
}

#[test]
fn matmul_two_by_two() {
	let mut input = i8s(&[1, 2, 3, 4]);
	input.extend(i8s(&[5, 6, 7, 8]));
	let out = cpu::run(KernelId::MatmulI8, &[2, 2, 2], &input).unwrap();
	assert_eq!(i32s(&out), [19, 22, 43, 50]);
}

#[test]
fn matmul_extremes_are_signed() {
	// [-128, 127] x [-128, -128]^T = 16384 - 16256.
	let input = i8s(&[-128, 127, -128, -128]);
	let out = cpu::run(KernelId::MatmulI8, &[1, 2, 1], &input).unwrap();
	assert_eq!(i32s(&out), [128]);
}

/// Builds an mlp-i8 input from `(W, b, shift)` per layer and the samples.
fn mlp_input(layers: &[(&[i8], &[i32], u32)], x: &[i8]) -> Vec<u8> {
	let mut input = Vec::new();
	for (w, b, shift) in layers {
		input.extend(i8s(w));
		input.extend(b.iter().flat_map(|v| v.to_le_bytes()));
		input.extend(shift.to_le_bytes());
	}
	input.extend(i8s(x));
	input
}

#[test]
fn mlp_two_layers_by_hand() {
	// Layer 1: acc = [1 + 10 + 40, 0 + 30 - 80] = [51, -50]; >> 1 = [25, -25]; ReLU -> [25, 0].
	// Layer 2: -3 + 5 * 25 - 1 * 0 = 122, not shifted or clamped.
	let input = mlp_input(&[(&[1, 2, 3, -4], &[1, 0], 1), (&[5, -1], &[-3], 7)], &[10, 20]);
	let out = cpu::run(KernelId::MlpI8, &[1, 2, 2, 2, 1], &input).unwrap();
	assert_eq!(i32s(&out), [122]);
}

#[test]
fn mlp_hidden_layers_saturate_at_127() {
	// Layer 1: 100 * 100 = 10000, shift 0, saturates to 127; layer 2: 2 * 127 = 254.
	let input = mlp_input(&[(&[100], &[0], 0), (&[2], &[0], 0)], &[100, -100]);
	let out = cpu::run(KernelId::MlpI8, &[2, 2, 1, 1, 1], &input).unwrap();
	assert_eq!(i32s(&out), [254, 0]);
}

#[test]
fn mlp_refuses_a_shift_over_31() {
	let input = mlp_input(&[(&[1], &[0], 32)], &[1]);
	let err = cpu::run(KernelId::MlpI8, &[1, 1, 1, 1], &input).unwrap_err();
	assert!(matches!(err, KernelError::Input(_)), "{err}");
}

#[test]
fn mandelbrot_known_points() {
	// c = 0 never moves; c = -2 (on the set's edge) settles at x = 8192 forever.
	assert_eq!(iterations(0, 0, 1000), 1000);
	assert_eq!(iterations(-8192, 0, 1000), 1000);
	// c = 3: x = 12288 after one step, then x2 = 36864 > 16384.
	assert_eq!(iterations(3 * 4096, 0, 1000), 1);
	// c = 1: x = 1, 2, 5 (Q12), 5^2 > 4 stops after three steps.
	assert_eq!(iterations(4096, 0, 1000), 3);
	// c = 2 + 2i: after one step x2 + y2 = 32768 > 16384.
	assert_eq!(iterations(8192, 8192, 1000), 1);
	// c = 256: x * x = 2^40 wraps to 0 in i32, so the contract never sees it escape.
	assert_eq!(iterations(1 << 20, 0, 1000), 1000);
}

#[test]
fn mandelbrot_window_is_row_major_from_the_top() {
	// Row 0 at cy = 0 has c = 0 (in the set) then c = 3.0; row 1 at 3.0i escapes at once.
	let params = [2, 2, 50, 0, 0, 3 * 4096];
	let out = cpu::run(KernelId::MandelbrotQ12, &params, &[]).unwrap();
	assert_eq!(u32s(&out), [50, 1, 1, 1]);
}

#[test]
fn stencil_shifts_arithmetically() {
	let grid = |center: i32| -> Vec<u8> {
		let mut cells = [0i32; 9];
		cells[4] = center;
		cells.iter().flat_map(|v| v.to_le_bytes()).collect()
	};
	let run = |center| i32s(&cpu::run(KernelId::Stencil2dI32, &[3, 3, 1], &grid(center)).unwrap());
	assert_eq!(run(8)[4], 4);
	assert_eq!(run(1)[4], 0);
	// -4 >> 3 is -1 (sign-propagating), not 0 as division would give.
	assert_eq!(run(-1)[4], -1);
	assert_eq!(run(-1).iter().filter(|&&v| v != 0).count(), 1, "borders never change");
}

#[test]
fn stencil_steps_repeat() {
	// 4x3 grid, two interior cells [16, 0] with zero borders:
	// step 1: [(64 + 0) >> 3, (0 + 16) >> 3] = [8, 2]; step 2: [(32 + 2) >> 3, (8 + 8) >> 3].
	let mut cells = [0i32; 12];
	cells[5] = 16;
	let input: Vec<u8> = cells.iter().flat_map(|v| v.to_le_bytes()).collect();
	let out = i32s(&cpu::run(KernelId::Stencil2dI32, &[4, 3, 2], &input).unwrap());
	assert_eq!(&out[5..7], &[4, 2]);
}

#[test]
fn sort_orders_including_max() {
	let values = [3u32, u32::MAX, 1, 2, 0, 2];
	let input: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
	let out = cpu::run(KernelId::SortU32, &[6], &input).unwrap();
	assert_eq!(u32s(&out), [0, 1, 2, 2, 3, u32::MAX]);
}

#[test]
fn sha256_fips_vectors() {
	let abc = cpu::run(KernelId::Sha256Batch, &[3, 2], b"abcabc").unwrap();
	let abc_digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	assert_eq!(hex(&abc), abc_digest.repeat(2));
	let empty = cpu::run(KernelId::Sha256Batch, &[0, 1], b"").unwrap();
	assert_eq!(hex(&empty), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	let two_blocks = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	let out = cpu::run(KernelId::Sha256Batch, &[56, 1], two_blocks).unwrap();
	assert_eq!(hex(&out), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

#[test]
fn wrong_input_length_is_refused() {
	let err = cpu::run(KernelId::SortU32, &[2], &[0; 7]).unwrap_err();
	assert_eq!(err.to_string(), "invalid input: input is 7 bytes but the params imply 8 bytes");
}
