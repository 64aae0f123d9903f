//! Split then assemble equals the unsplit run, byte for byte, for every splittable kernel, over
//! random shapes and uneven splits, on the CPU reference.

use super::*;
use crate::{cpu, random};
use concord_primitives::kernel::validate_params;
use proptest::prelude::*;

/// Random valid workloads of every splittable kernel, and a shard count each can take.
fn workload() -> impl Strategy<Value = (KernelId, Vec<u32>, u32, u64)> {
	let shapes = prop_oneof![
		(1u32..=40, 1u32..=40, 1u32..=40).prop_map(|(m, k, n)| (KernelId::MatmulI8, vec![m, k, n])),
		(1u32..=40, 1u32..=3, prop::collection::vec(1u32..=24, 4)).prop_map(
			|(batch, layers, dims)| {
				let mut params = vec![batch, layers];
				params.extend(&dims[..=layers as usize]);
				(KernelId::MlpI8, params)
			}
		),
		(1u32..=48, 1u32..=48, 1u32..=40, any::<i32>(), any::<i32>(), 1i32..=(1 << 16)).prop_map(
			|(width, height, max_iter, cx, cy, step)| {
				let params = vec![width, height, max_iter, cx as u32, cy as u32, step as u32];
				(KernelId::MandelbrotQ12, params)
			}
		),
		(0u32..=150, 1u32..=40).prop_map(|(len, count)| (KernelId::Sha256Batch, vec![len, count])),
	];
	(shapes, 1u32..=50, any::<u64>()).prop_map(|((kernel, params), shards, seed)| {
		let units = match kernel {
			KernelId::MatmulI8 | KernelId::MlpI8 => params[0],
			_ => params[1],
		};
		(kernel, params, shards.min(units), seed)
	})
}

proptest! {
	#[test]
	fn split_then_assemble_equals_the_whole_run((kernel, params, shards, seed) in workload()) {
		let shape = validate_params(kernel, &params).unwrap();
		let input = random::input(&shape, seed);
		let whole = cpu::run(kernel, &params, &input).unwrap();
		let assembled = run_local(kernel, &params, shards, &input, |shard, input| {
			cpu::run(kernel, shard.params(), input)
		})
		.unwrap();
		prop_assert_eq!(&assembled.output, &whole);
		// The leaves are what a verifier derives from the whole output and the rule alone.
		let leaves = leaves(kernel, &params, shards, &whole).unwrap();
		prop_assert_eq!(&assembled.leaves, &leaves);
		prop_assert_eq!(assembled.aggregate_root, aggregate::root(kernel, &params, &leaves).unwrap());
	}
}

#[test]
fn a_shard_returning_the_wrong_length_is_refused() {
	let params = [4, 4, 8, 0, 0, 1];
	let short = run_local(KernelId::MandelbrotQ12, &params, 2, &[], |_, _| Ok(vec![0; 3]));
	assert!(matches!(short, Err(WorkloadError::ShardOutput { index: 0, expected: 32, got: 3 })));
	let unsplittable = run_local(KernelId::SortU32, &[4], 2, &[0; 16], |_, _| Ok(vec![]));
	assert!(matches!(unsplittable, Err(WorkloadError::Split(SplitError::NotSplittable { .. }))));
	let short = leaves(KernelId::MandelbrotQ12, &params, 2, &[0; 63]);
	assert!(matches!(short, Err(WorkloadError::OutputLength { expected: 64, got: 63 })));
	let bad_input = run_local(KernelId::SortU32, &[4], 1, &[0; 15], |_, _| Ok(vec![]));
	assert!(matches!(bad_input, Err(WorkloadError::Whole(KernelError::Input(_)))));
}

/// A shard of another workload's split is refused, even one of the right index and length
/// whose place lies inside the output; shards go in index order; an assembly with a shard
/// missing has no root. Nothing refused is written.
#[test]
fn an_assembly_takes_its_own_shards_in_order_and_all_of_them() {
	let kernel = KernelId::MandelbrotQ12;
	let (small, large, taller) = ([4, 4, 8, 0, 0, 1], [4, 16, 8, 0, 0, 1], [4, 6, 8, 0, 0, 1]);
	let own: Vec<Shard> = workload::shards(kernel, &small, 2).unwrap().collect();
	let mut assembly = Assembly::new(kernel, &small, 2).unwrap();
	assert!(matches!(
		assembly.place(&own[1], &[1; 32], [0; 32]),
		Err(WorkloadError::ShardOrder { index: 1, expected: 0 })
	));
	let outside = workload::shards(kernel, &large, 2).unwrap().next().unwrap();
	assert!(matches!(
		assembly.place(&outside, &vec![1; outside.output.len as usize], [0; 32]),
		Err(WorkloadError::ForeignShard { index: 0 })
	));
	assert!(matches!(
		assembly.place(&own[0], &[1; 3], [0; 32]),
		Err(WorkloadError::ShardOutput { index: 0, expected: 32, got: 3 })
	));
	assembly.place(&own[0], &[1; 32], [2; 32]).unwrap();
	// Shard 1 of 4 of a taller window: index 1, 32 bytes, placed at bytes 16 to 48, inside
	// this output but over half of shard 0.
	let inside = workload::split(kernel, &taller, 4, 1).unwrap();
	assert_eq!((inside.index, inside.output.len, inside.output.offset), (1, 32, 16));
	assert!(matches!(
		assembly.place(&inside, &[9; 32], [0; 32]),
		Err(WorkloadError::ForeignShard { index: 1 })
	));
	let unfinished = Assembly::new(kernel, &small, 2).unwrap();
	assert!(matches!(unfinished.finish(), Err(WorkloadError::Unfinished { placed: 0, shards: 2 })));
	assembly.place(&own[1], &[3; 32], [4; 32]).unwrap();
	let assembled = assembly.finish().unwrap();
	assert_eq!(assembled.output, [[1; 32], [3; 32]].concat());
	let leaves = vec![
		ShardLeaf { index: 0, root: [2; 32], size: 32 },
		ShardLeaf { index: 1, root: [4; 32], size: 32 },
	];
	assert_eq!(assembled.aggregate_root, aggregate::root(kernel, &small, &leaves).unwrap());
	assert_eq!(assembled.leaves, leaves);
}

/// Bands of a window whose `cy` wraps past `i32::MAX` within the job: each band's `c` is the
/// whole job's, wrap and all.
#[test]
fn mandelbrot_bands_wrap_exactly_as_the_whole_window() {
	let step = 1 << 24;
	let params = [16, 9, 30, 0, (i32::MAX - 2 * step) as u32, step as u32];
	let whole = cpu::run(KernelId::MandelbrotQ12, &params, &[]).unwrap();
	let assembled = run_local(KernelId::MandelbrotQ12, &params, 3, &[], |shard, input| {
		cpu::run(KernelId::MandelbrotQ12, shard.params(), input)
	})
	.unwrap();
	assert_eq!(assembled.output, whole);
	// The window wraps: rows past the third start again from the most negative `cy`, so the
	// last band differs from the first (a shift without the wrap would not be tested here).
	assert_ne!(whole[..16 * 4], whole[8 * 16 * 4..]);
}
