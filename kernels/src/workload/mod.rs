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
	/// A shard placed in a workload it is not a shard of (another split, another workload).
	#[error("the shard placed as shard {index} is not this workload's shard {index}")]
	ForeignShard { index: u32 },
	/// Shards are placed in index order, each once.
	#[error("shard {index} placed where shard {expected} was due")]
	ShardOrder { index: u32, expected: u32 },
	/// An assembly finished before every shard was placed.
	#[error("{placed} of the workload's {shards} shards were placed")]
	Unfinished { placed: u32, shards: u32 },
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

/// A workload's output being put together, one shard at a time and in index order, wherever
/// the shards' outputs come from: run here ([`run_local`]), or fetched from the providers that
/// attested them (`concord model run`).
pub struct Assembly {
	kernel: KernelId,
	params: Vec<u32>,
	/// The workload's shards, in index order: what each placed shard must be.
	split: Vec<Shard>,
	output: Vec<u8>,
	leaves: Vec<ShardLeaf>,
}

impl Assembly {
	/// An empty output of the workload's length (`kernel` with `params` checked whole).
	pub fn new(kernel: KernelId, params: &[u32], shards: u32) -> Result<Assembly, WorkloadError> {
		let len = workload::check(kernel, params, shards)?.output_len();
		let split: Vec<Shard> = workload::shards(kernel, params, shards)?.collect();
		Ok(Assembly {
			kernel,
			params: params.to_vec(),
			leaves: Vec::with_capacity(split.len()),
			split,
			output: vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)],
		})
	}

	/// Puts `bytes`, the output of `shard`, in its place, under the leaf `root` (its result
	/// hash: computed from `bytes`, or the one the chain attested for bytes checked against it).
	pub fn place(
		&mut self,
		shard: &Shard,
		bytes: &[u8],
		root: [u8; 32],
	) -> Result<(), WorkloadError> {
		let (index, expected, got) = (shard.index, shard.output.len, bytes.len() as u64);
		let due = self.leaves.len() as u32;
		if index != due {
			return Err(WorkloadError::ShardOrder { index, expected: due });
		}
		if self.split.get(due as usize) != Some(shard) {
			return Err(WorkloadError::ForeignShard { index });
		}
		if got != expected {
			return Err(WorkloadError::ShardOutput { index, expected, got });
		}
		// The split tiles the output, so its shard's place lies inside it.
		let place = usize::try_from(shard.output.offset)
			.ok()
			.and_then(|at| self.output.get_mut(at..at.checked_add(bytes.len())?))
			.ok_or(WorkloadError::ForeignShard { index })?;
		place.copy_from_slice(bytes);
		self.leaves.push(ShardLeaf { index, root, size: got });
		Ok(())
	}

	/// The whole output and its aggregate root, once every shard is in place.
	pub fn finish(self) -> Result<Assembled, WorkloadError> {
		let (placed, shards) = (self.leaves.len() as u32, self.split.len() as u32);
		if placed != shards {
			return Err(WorkloadError::Unfinished { placed, shards });
		}
		let aggregate_root = aggregate::root(self.kernel, &self.params, &self.leaves)
			.map_err(|_| SplitError::NoShards)?;
		Ok(Assembled { leaves: self.leaves, aggregate_root, output: self.output })
	}
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
	validate_job(kernel, params, input).map_err(WorkloadError::Whole)?;
	let mut assembly = Assembly::new(kernel, params, shards)?;
	for shard in workload::shards(kernel, params, shards)? {
		let index = shard.index;
		let bytes = run(&shard, &shard_input(input, &shard))
			.map_err(|error| WorkloadError::Shard { index, error })?;
		assembly.place(&shard, &bytes, result_hash(&bytes))?;
	}
	assembly.finish()
}

#[cfg(test)]
mod tests;
