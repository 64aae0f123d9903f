//! The split rule's shapes, the aggregate and both proofs. That split-then-assemble equals the
//! whole run, byte for byte, is checked against the CPU reference in the kernels crate
//! (`kernels/src/workload/tests.rs`), which depends on this one.

use super::*;
use crate::kernel::{validate_params, KernelId};
use codec::{Decode, Encode};
use proptest::prelude::*;

/// Splittable workloads with random shapes inside the contract, small enough to prove fast.
fn splittable() -> impl Strategy<Value = (KernelId, Vec<u32>)> {
	prop_oneof![
		(1u32..=64, 1u32..=64, 1u32..=64).prop_map(|(m, k, n)| (KernelId::MatmulI8, vec![m, k, n])),
		(1u32..=64, 1u32..=4, prop::collection::vec(1u32..=32, 5)).prop_map(
			|(batch, layers, dims)| {
				let mut params = vec![batch, layers];
				params.extend(&dims[..=layers as usize]);
				(KernelId::MlpI8, params)
			}
		),
		(1u32..=64, 1u32..=64, any::<i32>(), any::<i32>(), 1i32..=i32::MAX).prop_map(
			|(width, height, cx, cy, step)| {
				(
					KernelId::MandelbrotQ12,
					vec![width, height, 16, cx as u32, cy as u32, step as u32],
				)
			}
		),
		(0u32..=200, 1u32..=64).prop_map(|(len, count)| (KernelId::Sha256Batch, vec![len, count])),
	]
}

fn units(kernel: KernelId, params: &[u32]) -> u32 {
	match kernel {
		KernelId::MatmulI8 | KernelId::MlpI8 => params[0],
		KernelId::MandelbrotQ12 | KernelId::Sha256Batch => params[1],
		KernelId::Stencil2dI32 | KernelId::SortU32 => 1,
	}
}

proptest! {
	/// Every shard is a valid job whose input is the segments' bytes and whose output fills its
	/// place; the places tile the workload's output in index order, and shard sizes differ by
	/// at most one unit.
	#[test]
	fn shards_are_valid_jobs_that_tile_the_output(
		(kernel, params) in splittable(), shards_wanted in 1u32..=80,
	) {
		let whole = validate_params(kernel, &params).unwrap();
		let shards_wanted = shards_wanted.min(units(kernel, &params));
		let all: Vec<Shard> = shards(kernel, &params, shards_wanted).unwrap().collect();
		prop_assert_eq!(all.len() as u32, shards_wanted);
		let mut next = 0;
		let mut unit_counts = Vec::new();
		for (index, shard) in all.iter().enumerate() {
			prop_assert_eq!(shard.index, index as u32);
			let own = validate_params(kernel, shard.params()).unwrap();
			prop_assert_eq!(own.input_len(), shard.input_len());
			prop_assert_eq!(own.output_len(), shard.output.len);
			prop_assert_eq!(shard.output.offset, next);
			next = shard.output.end();
			for segment in shard.input() {
				prop_assert!(segment.len > 0 && segment.end() <= whole.input_len());
			}
			unit_counts.push(units(kernel, shard.params()));
		}
		prop_assert_eq!(next, whole.output_len());
		let (min, max) = (unit_counts.iter().min().unwrap(), unit_counts.iter().max().unwrap());
		prop_assert!(max - min <= 1, "uneven beyond one unit: {:?}", unit_counts);
	}

	/// An aggregate's every leaf proves against its root, and a proof for one leaf fails for
	/// another index, another root or size, or a path of the wrong length.
	#[test]
	fn aggregate_paths_prove_their_leaf_and_nothing_else(
		roots in prop::collection::vec(any::<[u8; 32]>(), 1..=70), sizes in any::<u64>(),
	) {
		let leaves: Vec<ShardLeaf> = roots
			.iter()
			.enumerate()
			.map(|(i, root)| ShardLeaf { index: i as u32, root: *root, size: sizes ^ i as u64 })
			.collect();
		let count = leaves.len() as u32;
		let (kernel, params) = (KernelId::Sha256Batch, [4, 70]);
		let root = aggregate::root(kernel, &params, &leaves).unwrap();
		let verify = |leaf: &ShardLeaf, path: &[[u8; 32]]| {
			aggregate::verify(&root, kernel, &params, count, leaf, path)
		};
		for leaf in &leaves {
			let path = aggregate::path(&leaves, leaf.index).unwrap();
			prop_assert_eq!(verify(leaf, &path), Ok(()));
			// The same leaf read as part of another workload, or another split of this one.
			let elsewhere = aggregate::verify(&root, kernel, &[4, 71], count, leaf, &path);
			prop_assert_eq!(elsewhere, Err(AggregateError::RootMismatch));
			let wider = aggregate::verify(&root, kernel, &params, count + 1, leaf, &path);
			prop_assert!(wider.is_err());
			let moved = ShardLeaf { index: (leaf.index + 1) % count, ..*leaf };
			if count > 1 {
				prop_assert!(verify(&moved, &path).is_err());
			}
			let resized = ShardLeaf { size: leaf.size ^ 1, ..*leaf };
			prop_assert!(verify(&resized, &path).is_err());
			let rerooted = ShardLeaf { root: [leaf.root[0] ^ 1; 32], ..*leaf };
			prop_assert!(verify(&rerooted, &path).is_err());
			let mut longer = path.clone();
			longer.push([0; 32]);
			let too_long = verify(leaf, &longer);
			let wrong_length = matches!(too_long, Err(AggregateError::WrongPathLength { .. }));
			prop_assert!(wrong_length, "{:?}", too_long);
			if let Some((_, shorter)) = path.split_last() {
				prop_assert!(verify(leaf, shorter).is_err());
			}
		}
	}

	/// Every chunk of a blob of any size proves against `blake3::hash`, the result hash
	/// providers attest; a flipped byte, a flipped sibling or another chunk index fails.
	#[test]
	fn chunk_proofs_verify_against_the_blake3_hash(
		size in 1usize..=20_000, seed in any::<u8>(), pick in any::<prop::sample::Index>(),
	) {
		let blob: Vec<u8> = (0..size).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect();
		let root = *blake3::hash(&blob).as_bytes();
		let chunks = (size as u64).div_ceil(CHUNK_LEN);
		let chunk = pick.index(chunks as usize) as u64;
		let proof = chunk_proof::prove(&blob, chunk).unwrap();
		let at = (chunk * CHUNK_LEN) as usize;
		prop_assert_eq!(&proof.bytes[..], &blob[at..(at + 1024).min(size)]);
		prop_assert_eq!(chunk_proof::verify(&root, size as u64, &proof), Ok(()));

		let mut flipped = proof.clone();
		flipped.bytes[0] ^= 1;
		prop_assert_eq!(
			chunk_proof::verify(&root, size as u64, &flipped),
			Err(ChunkProofError::RootMismatch)
		);
		if let Some(sibling) = proof.siblings.first() {
			let mut tampered = proof.clone();
			tampered.siblings[0] = [sibling[0] ^ 1; 32];
			prop_assert!(chunk_proof::verify(&root, size as u64, &tampered).is_err());
		}
		if chunks > 1 {
			let other = ChunkProof { chunk: (chunk + 1) % chunks, ..proof.clone() };
			prop_assert!(chunk_proof::verify(&root, size as u64, &other).is_err());
		}
		if chunk + 1 == chunks {
			// The last chunk fixes the size: one byte more is another tree.
			prop_assert!(chunk_proof::verify(&root, size as u64 + 1, &proof).is_err());
		}
	}

	/// The verifiers take proofs decoded from any bytes, and never panic on them.
	#[test]
	fn verifiers_never_panic_on_arbitrary_proofs(
		bytes in prop::collection::vec(any::<u8>(), 0..600),
		size in any::<u64>(),
		root in any::<[u8; 32]>(),
		(kernel, params) in splittable(),
		shards in any::<u32>(),
	) {
		if let Ok(proof) = ByteProof::decode(&mut &bytes[..]) {
			let _ = byte_proof::verify(&root, kernel, &params, shards, &proof);
			let _ = chunk_proof::verify(&root, size, &proof.chunk);
			let _ = aggregate::verify(&root, kernel, &params, shards, &proof.leaf, &proof.leaf_path);
		}
		if let Ok(proof) = ChunkProof::decode(&mut &bytes[..]) {
			let _ = chunk_proof::verify(&root, size, &proof);
		}
	}

	/// Chunk proofs built field by field, with sizes near the ones that matter, never panic
	/// the verifier either.
	#[test]
	fn the_chunk_verifier_never_panics_on_any_fields(
		chunk in prop_oneof![any::<u64>(), 0u64..40],
		len in prop_oneof![Just(0usize), Just(1024), 1usize..=1024],
		siblings in prop::collection::vec(any::<[u8; 32]>(), 0..=54),
		size in prop_oneof![any::<u64>(), 0u64..50_000, Just(u64::MAX)],
	) {
		let proof = ChunkProof {
			chunk,
			bytes: vec![7; len].try_into().unwrap(),
			siblings: siblings.try_into().unwrap(),
		};
		let _ = chunk_proof::verify(&[0; 32], size, &proof);
	}

	/// Well-formed proofs for any chunk of blobs of any size up to `u64::MAX` (depth 54) go
	/// all the way through the hashing, and end in a mismatch rather than a panic.
	#[test]
	fn the_chunk_verifier_hashes_well_formed_proofs_of_any_depth(
		size in prop_oneof![any::<u64>(), 1u64..50_000, Just(u64::MAX)],
		pick in any::<prop::sample::Index>(),
		sibling in any::<[u8; 32]>(),
	) {
		let size = size.max(1);
		let chunks = size.div_ceil(CHUNK_LEN);
		let chunk = pick.index(chunks as usize) as u64;
		let len = (size - chunk * CHUNK_LEN).min(CHUNK_LEN) as usize;
		let proof = |siblings: usize| ChunkProof {
			chunk,
			bytes: vec![7; len].try_into().unwrap(),
			siblings: vec![sibling; siblings].try_into().unwrap(),
		};
		let depth = match chunk_proof::verify(&[0; 32], size, &proof(0)) {
			Err(ChunkProofError::WrongPathLength { expected, got: 0 }) => expected as usize,
			other => {
				prop_assert_eq!(other, Err(ChunkProofError::RootMismatch));
				0
			}
		};
		prop_assert!(depth <= 54);
		prop_assert_eq!(
			chunk_proof::verify(&[0; 32], size, &proof(depth)),
			Err(ChunkProofError::RootMismatch)
		);
	}
}

/// Bytes with no period, so that no two chunks of a test blob are equal.
fn unpatterned(len: u64, seed: u64) -> Vec<u8> {
	(0..len)
		.map(|i| ((i.wrapping_add(seed << 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8)
		.collect()
}

/// A workload of five equal shards, with their outputs made up: proofs of bytes of the whole
/// output verify at the right offset, and fail for a tampered shard root, leaf index or byte.
#[test]
fn byte_proofs_hold_against_the_aggregate_and_nothing_else() {
	// Five bands of 2 rows: every shard's output is 1,600 bytes, two chunks, so a proof moved
	// to another shard passes the size check and must be stopped by the aggregate.
	let (kernel, params, shards_wanted) = (KernelId::MandelbrotQ12, [200, 10, 8, 0, 0, 1], 5);
	let all: Vec<Shard> = shards(kernel, &params, shards_wanted).unwrap().collect();
	let outputs: Vec<Vec<u8>> =
		all.iter().map(|s| unpatterned(s.output.len, s.index.into())).collect();
	let whole: Vec<u8> = outputs.concat();
	let leaves: Vec<ShardLeaf> = all
		.iter()
		.zip(&outputs)
		.map(|(s, out)| ShardLeaf {
			index: s.index,
			root: *blake3::hash(out).as_bytes(),
			size: out.len() as u64,
		})
		.collect();
	let root = aggregate::root(kernel, &params, &leaves).unwrap();

	for shard in &all {
		let output = &outputs[shard.index as usize];
		for offset in [0, output.len() as u64 - 1, 1030] {
			let proof = byte_proof::prove(&leaves, shard.index, output, offset).unwrap();
			let proven = byte_proof::verify(&root, kernel, &params, shards_wanted, &proof).unwrap();
			let global = shard.output.offset + offset;
			assert!(proven.confirm(global, &whole[global as usize..global as usize + 1]));
			assert!(!proven.confirm(global, &[whole[global as usize] ^ 1]));
			let chunk_start = proven.offset as usize;
			assert_eq!(proven.bytes, &whole[chunk_start..chunk_start + proven.bytes.len()]);

			// The same chunk claimed for another shard of the same size: the aggregate, not the
			// size check, stops it.
			let mut moved = proof.clone();
			moved.leaf.index = (shard.index + 1) % shards_wanted;
			let moved = byte_proof::verify(&root, kernel, &params, shards_wanted, &moved);
			assert!(matches!(moved, Err(ByteProofError::Aggregate(_))), "{moved:?}");
			// Another chunk of the same shard claimed with these bytes.
			let mut shifted = proof.clone();
			shifted.chunk.chunk ^= 1;
			assert!(byte_proof::verify(&root, kernel, &params, shards_wanted, &shifted).is_err());
			assert!(!proven.confirm(global, &[]), "an empty claim confirms nothing");
			// A shard root swapped for another: its path no longer reaches the aggregate.
			let mut rerooted = proof.clone();
			rerooted.leaf.root = leaves[((shard.index + 1) % shards_wanted) as usize].root;
			assert_eq!(
				byte_proof::verify(&root, kernel, &params, shards_wanted, &rerooted),
				Err(ByteProofError::Aggregate(AggregateError::RootMismatch))
			);
			// A byte changed: the chunk no longer hashes to the shard's root.
			let mut changed = proof.clone();
			changed.chunk.bytes[0] ^= 0x80;
			assert_eq!(
				byte_proof::verify(&root, kernel, &params, shards_wanted, &changed),
				Err(ByteProofError::Chunk(ChunkProofError::RootMismatch))
			);
			// The same proof read as a workload split another way.
			assert!(byte_proof::verify(&root, kernel, &params, shards_wanted + 1, &proof).is_err());
		}
	}
	// A split of another workload whose shard 1 has the same size lands it elsewhere: matmul
	// of 3 rows in 2 shards puts shard 1 (2 rows) at row 1, of 4 rows at row 2. The root names
	// its workload, so the proof holds for one reading only.
	let matmul = |m: u32| [m, 2, 2];
	let matmul_outputs: Vec<Vec<u8>> = shards(KernelId::MatmulI8, &matmul(3), 2)
		.unwrap()
		.map(|s| unpatterned(s.output.len, s.index.into()))
		.collect();
	let matmul_leaves: Vec<ShardLeaf> = matmul_outputs
		.iter()
		.enumerate()
		.map(|(i, out)| ShardLeaf {
			index: i as u32,
			root: *blake3::hash(out).as_bytes(),
			size: out.len() as u64,
		})
		.collect();
	let matmul_root = aggregate::root(KernelId::MatmulI8, &matmul(3), &matmul_leaves).unwrap();
	let proof = byte_proof::prove(&matmul_leaves, 1, &matmul_outputs[1], 0).unwrap();
	let proven = byte_proof::verify(&matmul_root, KernelId::MatmulI8, &matmul(3), 2, &proof);
	assert_eq!(proven.map(|p| p.offset), Ok(8));
	assert_eq!(split(KernelId::MatmulI8, &matmul(4), 2, 1).unwrap().output.len, proof.leaf.size);
	assert_eq!(
		byte_proof::verify(&matmul_root, KernelId::MatmulI8, &matmul(4), 2, &proof),
		Err(ByteProofError::Aggregate(AggregateError::RootMismatch))
	);

	// A proof survives SCALE, as it will cross the runtime API.
	let proof = byte_proof::prove(&leaves, 2, &outputs[2], 5).unwrap();
	assert_eq!(ByteProof::decode(&mut &proof.encode()[..]), Ok(proof));
}

#[test]
fn splits_that_cannot_be_made_are_named() {
	use KernelId::*;
	assert_eq!(split(MatmulI8, &[4, 2, 2], 0, 0), Err(SplitError::NoShards));
	assert_eq!(
		split(MatmulI8, &[4, 2, 2], 5, 0),
		Err(SplitError::DoesNotDivide { shards: 5, units: 4, unit: "row" })
	);
	assert_eq!(
		split(MandelbrotQ12, &[4096, 4096, 1, 0, 0, 1], MAX_SHARDS + 1, 0),
		Err(SplitError::TooManyShards { shards: MAX_SHARDS + 1, max: MAX_SHARDS })
	);
	assert_eq!(split(SortU32, &[100], 2, 0), Err(SplitError::NotSplittable { kernel: SortU32 }));
	assert_eq!(
		split(Stencil2dI32, &[8, 8, 1], 2, 0),
		Err(SplitError::NotSplittable { kernel: Stencil2dI32 })
	);
	assert_eq!(
		split(Sha256Batch, &[4, 4], 2, 2),
		Err(SplitError::NoSuchShard { index: 2, shards: 2 })
	);
	assert!(matches!(split(SortU32, &[0], 1, 0), Err(SplitError::Params(_))));
	// Kernels that run whole take one shard: the whole job.
	let whole = split(SortU32, &[100], 1, 0).unwrap();
	assert_eq!(
		(whole.params(), whole.input()),
		(&[100][..], &[Segment { offset: 0, len: 400 }][..])
	);
}

#[test]
fn mandelbrot_bands_move_the_window_with_the_kernels_wrapping_arithmetic() {
	// Row 3 of a window whose `cy` is near `i32::MAX`: the band's `cy` wraps exactly as the
	// kernel's `cy + y * step` does.
	let params = [2, 6, 10, 0, (i32::MAX - 1) as u32, 1 << 20];
	let band = split(KernelId::MandelbrotQ12, &params, 2, 1).unwrap();
	let expected = (i32::MAX - 1).wrapping_add(3i32.wrapping_mul(1 << 20));
	assert_eq!(band.params(), &[2, 3, 10, 0, expected as u32, 1 << 20]);
	assert_eq!(band.output, Segment { offset: 3 * 2 * 4, len: 3 * 2 * 4 });
	assert!(band.input().is_empty());
}

/// Sizes at chunk and power-of-two boundaries, where BLAKE3's tree changes shape: every chunk
/// of each proves against `blake3::hash`.
#[test]
fn chunk_proofs_hold_at_every_boundary_of_the_tree() {
	let sizes = [1u64, 1023, 1024, 1025, 2048, 2049, 3072, 4095, 4096, 4097, 65535, 65536, 65537];
	for size in sizes.into_iter().chain([(1 << 20) + 1]) {
		let blob = unpatterned(size, size);
		let root = *blake3::hash(&blob).as_bytes();
		for chunk in 0..size.div_ceil(CHUNK_LEN) {
			let proof = chunk_proof::prove(&blob, chunk).unwrap();
			assert_eq!(chunk_proof::verify(&root, size, &proof), Ok(()), "{size} bytes, {chunk}");
		}
	}
}

/// Two equal chunks differ only by their place: the counter each chunk is hashed with keeps
/// one from passing for the other.
#[test]
fn a_chunk_cannot_pass_for_an_equal_chunk_elsewhere() {
	let blob = vec![0u8; 2048];
	let root = *blake3::hash(&blob).as_bytes();
	let first = chunk_proof::prove(&blob, 0).unwrap();
	let second = chunk_proof::prove(&blob, 1).unwrap();
	assert_eq!(first.bytes, second.bytes);
	let relabelled = ChunkProof { chunk: 1, ..first };
	assert_eq!(chunk_proof::verify(&root, 2048, &relabelled), Err(ChunkProofError::RootMismatch));
	assert_eq!(chunk_proof::verify(&root, 2048, &second), Ok(()));
}

/// At the contract's bounds and `MAX_SHARDS`, every shard is a valid job, its segments lie in
/// the input, and the outputs tile the whole; a full tree's paths fit `MAX_PATH`.
#[test]
fn the_largest_workloads_split_into_the_most_shards() {
	let mut mlp = vec![65536, 7];
	mlp.extend([4096; 8]);
	let largest: [(KernelId, Vec<u32>); 5] = [
		(KernelId::MatmulI8, vec![4096, 4096, 4096]),
		(KernelId::MlpI8, mlp),
		(KernelId::Sha256Batch, vec![4096, 1_048_576]),
		(KernelId::Sha256Batch, vec![0, 1_048_576]),
		(
			KernelId::MandelbrotQ12,
			vec![4096, 4096, 65535, i32::MIN as u32, i32::MAX as u32, i32::MAX as u32],
		),
	];
	for (kernel, params) in largest {
		let whole = validate_params(kernel, &params).unwrap();
		let mut next = 0;
		for shard in shards(kernel, &params, MAX_SHARDS).unwrap() {
			let own = validate_params(kernel, shard.params()).unwrap();
			assert_eq!((own.input_len(), own.output_len()), (shard.input_len(), shard.output.len));
			assert!(shard.input().iter().all(|s| s.end() <= whole.input_len()), "{kernel}");
			assert_eq!(shard.output.offset, next, "{kernel}");
			next = shard.output.end();
		}
		assert_eq!(next, whole.output_len(), "{kernel}");
	}
	let leaves: Vec<ShardLeaf> =
		(0..MAX_SHARDS).map(|index| ShardLeaf { index, root: [1; 32], size: 4 }).collect();
	let longest = (0..MAX_SHARDS).map(|i| aggregate::path(&leaves, i).unwrap().len()).max();
	assert_eq!(longest, Some(aggregate::MAX_PATH as usize));
}
