//! A workload run on one machine: its shards run one by one, their outputs put back in place,
//! and the aggregate root the chain would record for them. The split and the aggregate are the
//! protocol's rules in `concord_primitives::workload`; this only gathers bytes.

use crate::{result_hash, validate_job, KernelError};
use concord_primitives::{
	kernel::KernelId,
	workload::{self, aggregate, Shard, ShardLeaf, SplitError},
};

/// Why a workload did not produce its output.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
	/// The workload itself is not a valid job.
	#[error("{0}")]
	Whole(KernelError),
	/// The workload does not divide into the shards asked for.
	#[error("cannot split the workload: {0}")]
	Split(SplitError),
	/// A shard did not run.
	#[error("shard {index}: {error}")]
	Shard { index: u32, error: KernelError },
	/// A shard's output is not the length the split rule gives it.
	#[error("shard {index} returned {got} bytes, its place in the output holds {expected}")]
	ShardOutput { index: u32, expected: u64, got: u64 },
	/// A whole output is not the length the workload's params give it.
	#[error("the output is {got} bytes, the workload's is {expected}")]
	OutputLength { expected: u64, got: u64 },
}

// Not `#[from]`: that would also make the split error the source, and a chain printed whole
// would say it twice.
impl From<SplitError> for WorkloadError {
	fn from(error: SplitError) -> Self {
		WorkloadError::Split(error)
	}
}

/// A workload's output, assembled, with what commits to it.
pub struct Assembled {
	/// Every shard's leaf, in index order.
	pub leaves: Vec<ShardLeaf>,
	/// The root the chain records over `leaves`.
	pub aggregate_root: [u8; 32],
	/// The whole output: the shards' outputs in place.
	pub output: Vec<u8>,
}

/// A shard's input: its segments of the workload's input, concatenated.
pub fn shard_input(input: &[u8], shard: &Shard) -> Vec<u8> {
	let mut bytes = Vec::with_capacity(usize::try_from(shard.input_len()).unwrap_or(0));
	for segment in shard.input() {
		// The rule keeps segments inside an input of the params' length, checked before.
		let (start, end) = (segment.offset as usize, segment.end() as usize);
		bytes.extend_from_slice(&input[start..end]);
	}
	bytes
}

/// The leaves of a workload whose whole output is `output`: each shard's place in it, hashed.
/// What anyone holding the output derives, and checks against an aggregate root.
pub fn leaves(
	kernel: KernelId,
	params: &[u32],
	shards: u32,
	output: &[u8],
) -> Result<Vec<ShardLeaf>, WorkloadError> {
	let expected = workload::check(kernel, params, shards)?.output_len();
	let got = output.len() as u64;
	if got != expected {
		return Err(WorkloadError::OutputLength { expected, got });
	}
	let mut leaves = Vec::with_capacity(shards as usize);
	for shard in workload::shards(kernel, params, shards)? {
		// The shards tile an output of `expected` bytes.
		let bytes = &output[shard.output.offset as usize..shard.output.end() as usize];
		leaves.push(ShardLeaf {
			index: shard.index,
			root: result_hash(bytes),
			size: shard.output.len,
		});
	}
	Ok(leaves)
}

/// Runs `kernel` with `params` on `input` as `shards` shards, each through `run` (the GPU
/// executor or the CPU reference), and assembles their outputs.
pub fn run_local(
	kernel: KernelId,
	params: &[u32],
	shards: u32,
	input: &[u8],
	mut run: impl FnMut(&Shard, &[u8]) -> Result<Vec<u8>, KernelError>,
) -> Result<Assembled, WorkloadError> {
	let shape = validate_job(kernel, params, input).map_err(WorkloadError::Whole)?;
	let mut output = vec![0u8; shape.output_len() as usize];
	let mut leaves = Vec::with_capacity(shards as usize);
	for shard in workload::shards(kernel, params, shards)? {
		let index = shard.index;
		let bytes = run(&shard, &shard_input(input, &shard))
			.map_err(|error| WorkloadError::Shard { index, error })?;
		let got = bytes.len() as u64;
		if got != shard.output.len {
			return Err(WorkloadError::ShardOutput { index, expected: shard.output.len, got });
		}
		let at = shard.output.offset as usize;
		output[at..at + bytes.len()].copy_from_slice(&bytes);
		leaves.push(ShardLeaf { index, root: result_hash(&bytes), size: got });
	}
	let aggregate_root =
		aggregate::root(kernel, params, &leaves).map_err(|_| SplitError::NoShards)?;
	Ok(Assembled { leaves, aggregate_root, output })
}

#[cfg(test)]
mod tests;
