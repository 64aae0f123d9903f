//! One duty of one job: run it and commit, or reveal what was committed.

use super::rates::Rates;
use super::schedule::{Refused, Schedule};
use super::{Commitment, Config, Journal, Results};
use crate::chain::{Client, Hash, JobId, JobInfo, RuntimeCall, RuntimeEvent};
use crate::data::{BlobRef, Store};
use crate::report;
use codec::Encode;
use concord_kernels::{result_hash, KernelError};
use concord_primitives::kernel::{validate_params, KernelShape};
use concord_primitives::market::commitment::commitment;
use concord_runtime::units::MILLI_SECS_PER_BLOCK;
use pallet_jobs::Duty;
use sp_core::H256;
use sp_crypto_hashing::blake2_256;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Blocks kept at the end of a commit window for the commit to be signed and included.
const COMMIT_MARGIN_BLOCKS: u32 = concord_primitives::market::window::COMMIT_MARGIN_BLOCKS;

/// A job whose estimate at the assumed rate is more than this share of the time to its
/// deadline (a tenth) gets its kernel measured first: a device slower than the assumed rate
/// would otherwise take it and lapse.
const MEASURE_WITHIN: u32 = 10;

/// Why a duty was not done.
pub enum Failure {
	/// Something that may pass (the node, the pool, the GPU): try again on the next block.
	Retry(anyhow::Error),
	/// Something that will not change (the input is missing or breaks the kernel's contract,
	/// the salt is lost): stop trying for this job. Before a commit the worker declines it;
	/// the chain never treats not committing as a wrong result.
	GiveUp(String),
}

pub(super) fn retry(error: impl Into<anyhow::Error>) -> Failure {
	Failure::Retry(error.into())
}

/// Everything a duty needs, shared by the daemon's tasks on one connection.
pub struct Work {
	pub client: Client,
	pub config: Arc<Config>,
	pub journal: Journal,
	pub results: Results,
	/// Remote inputs, fetched and kept (see `super::inputs`).
	pub inputs: Store,
	/// The device's jobs, one at a time, earliest deadline first.
	pub schedule: Arc<Schedule>,
	/// The device's measured rates.
	pub rates: Arc<Rates>,
}

impl Work {
	/// Does `duty` for `job`, reading the chain at block `at`, number `head`, which arrived at
	/// `seen`; says what was done.
	pub async fn perform(
		&self,
		job: JobId,
		duty: Duty<u32>,
		at: Hash,
		(head, seen): (u32, Instant),
	) -> Result<String, Failure> {
		let info = self
			.client
			.job(job, at)
			.await
			.map_err(retry)?
			.ok_or_else(|| Failure::GiveUp("the chain no longer has the job".into()))?;
		let spec_hash = blake2_256(&info.spec.encode());
		match duty {
			Duty::Commit { until } => {
				self.commit(job, &info, spec_hash, at, commit_due(until, head, seen)).await
			}
			Duty::Reveal { .. } => self.reveal(job, spec_hash).await,
		}
	}

	async fn commit(
		&self,
		job: JobId,
		info: &JobInfo,
		spec_hash: [u8; 32],
		at: Hash,
		due: Instant,
	) -> Result<String, Failure> {
		// A commitment already journaled (the worker stopped before its commit landed) is
		// committed again as it is: a new salt could contradict a commit already sent.
		let recorded = match self.journal.get(job, &spec_hash).map_err(retry)? {
			Some(recorded) => recorded,
			None => {
				let output = match self.compute(job, info, at, due).await {
					Err(Failure::GiveUp(why)) => return self.decline(job, why).await,
					computed => computed?,
				};
				let result_hash = result_hash(&output);
				self.results.keep(job, &result_hash, &output).map_err(retry)?;
				let recorded = Commitment { spec_hash, result_hash, salt: fresh_salt()? };
				self.journal.put(job, &recorded).map_err(retry)?;
				recorded
			}
		};
		let me = self.config.signer.account().encode();
		let commitment = H256(commitment(&recorded.result_hash, &recorded.salt, &me));
		let call = RuntimeCall::Jobs(pallet_jobs::Call::commit { job, commitment });
		let included = self.client.submit(&self.config.signer, call).await.map_err(retry)?;
		Ok(format!(
			"committed to result {} in block {}",
			report::hash(&recorded.result_hash),
			report::hash(&included.block_hash)
		))
	}

	/// Steps out of a job it cannot do honestly, for the chain's fixed fee, rather than leave
	/// it to end as a no-show. A failed decline is tried again while the duty is listed.
	async fn decline(&self, job: JobId, why: String) -> Result<String, Failure> {
		let call = RuntimeCall::Jobs(pallet_jobs::Call::decline { job });
		let included = self
			.client
			.submit(&self.config.signer, call)
			.await
			.map_err(|e| retry(e.context(format!("declining because {why}"))))?;
		Ok(format!("declined because {why}, in block {}", report::hash(&included.block_hash)))
	}

	async fn reveal(&self, job: JobId, spec_hash: [u8; 32]) -> Result<String, Failure> {
		let recorded = self.journal.get(job, &spec_hash).map_err(retry)?.ok_or_else(|| {
			Failure::GiveUp(
				"no salt is recorded for it in the state directory, so its commitment cannot \
				 be revealed"
					.into(),
			)
		})?;
		let call = RuntimeCall::Jobs(pallet_jobs::Call::reveal {
			job,
			result_hash: H256(recorded.result_hash),
			salt: recorded.salt,
		});
		// The salt stays journaled until a finalized block shows this reveal (see
		// `forget_final_salts`): the block that carries it may yet be re-orged away.
		let included = self.client.submit(&self.config.signer, call).await.map_err(retry)?;
		let mut said = format!("revealed in block {}", report::hash(&included.block_hash));
		for event in &included.events {
			if let RuntimeEvent::Jobs(pallet_jobs::Event::Attested {
				result_hash, agreeing, ..
			}) = event
			{
				let attested = report::hash(result_hash);
				said += &format!("; attested {attested} with {agreeing} agreeing");
			}
			if let RuntimeEvent::Jobs(pallet_jobs::Event::Paid { provider, amount, .. }) = event {
				if provider == self.config.signer.account() {
					said += &format!("; paid {amount}");
				}
			}
		}
		Ok(said)
	}

	/// The job's output, computed from its input after checking the input against its hash
	/// (fetching a remote one first, while time is left to compute), if the device can finish
	/// it by `due` without making a job it holds late (NM4).
	async fn compute(
		&self,
		job: JobId,
		info: &JobInfo,
		at: Hash,
		due: Instant,
	) -> Result<Vec<u8>, Failure> {
		let spec = &info.spec;
		let params = spec.params.to_vec();
		let shape = validate_params(spec.kernel, &params)
			.map_err(|e| Failure::GiveUp(KernelError::from(e).to_string()))?;
		let input = match &spec.input.source {
			Some(source) => {
				let cutoff =
					due.checked_sub(self.rates.estimate(&shape)).unwrap_or_else(Instant::now);
				let blob = BlobRef { root: spec.input.hash.0, size: spec.input.size };
				self.fetch_input(blob, info, source, (at, cutoff)).await?
			}
			None => {
				let input =
					self.client.job_input(job, at).await.map_err(retry)?.ok_or_else(|| {
						Failure::GiveUp("its inline input is not in chain state".into())
					})?;
				if blake2_256(&input) != spec.input.hash.0 || input.len() as u64 != spec.input.size
				{
					return Err(Failure::GiveUp(
						"its input does not match the hash in the job".into(),
					));
				}
				input
			}
		};
		// A fetched input stays in the store, served to the job's other assignees, for the
		// operator's retention (see `retention`).
		self.run(job, (shape, params), input, due).await
	}

	/// Runs the job's kernel, of `shape` with `params`, on `input` if the device can finish it
	/// by `due` without making a job it holds late (NM4).
	async fn run(
		&self,
		job: JobId,
		(shape, params): (KernelShape, Vec<u32>),
		input: Vec<u8>,
		due: Instant,
	) -> Result<Vec<u8>, Failure> {
		let kernel = shape.kernel();
		let (device, rates, schedule) =
			(self.config.device.clone(), self.rates.clone(), self.schedule.clone());
		let run = tokio::task::spawn_blocking(move || {
			// Near its deadline at the assumed rate, or refused at it: this device's own rate
			// decides. A device that cannot be measured keeps the assumed rate.
			let near = rates.estimate(&shape) * MEASURE_WITHIN
				> due.saturating_duration_since(Instant::now());
			let mut admitted = schedule.admit(job, rates.estimate(&shape), due);
			if (near || matches!(admitted, Err(Refused::Late(_)))) && !rates.is_measured(kernel) {
				drop(admitted);
				if let Err(e) = rates.measure(&device, &schedule, kernel) {
					log::warn!(target: super::LOG_TARGET, "measuring {kernel} failed: {e}");
				}
				admitted = schedule.admit(job, rates.estimate(&shape), due);
			}
			admitted.map(|admitted| admitted.run(|| device.run(kernel, &params, &input)))
		});
		match run.await.map_err(retry)? {
			Ok(Ok(Ok(output))) => Ok(output),
			Ok(Ok(Err(e))) => Err(kernel_failure(e)),
			Err(Refused::Late(late)) | Ok(Err(late)) => {
				Err(Failure::GiveUp(format!("it cannot be done in time: {late}")))
			}
			Err(Refused::AlreadyHeld) => Err(retry(anyhow::anyhow!(
				"it is still on this device from before the connection to the node was lost"
			))),
		}
	}
}

/// A kernel error that no retry mends is given up; the rest (the GPU) may pass.
fn kernel_failure(e: KernelError) -> Failure {
	match e {
		KernelError::Params(_)
		| KernelError::Input(_)
		| KernelError::ExceedsDeviceLimits { .. }
		| KernelError::ExceedsHostMemory { .. } => Failure::GiveUp(e.to_string()),
		e => retry(e),
	}
}

/// When a commit due by block `until` (the last block that takes it) must be done computing,
/// seen from block `head`, which arrived at `seen`: the blocks after `head`, less the margin
/// to get the commit in, at the runtime's block time.
fn commit_due(until: u32, head: u32, seen: Instant) -> Instant {
	let blocks = until.saturating_sub(head).saturating_sub(COMMIT_MARGIN_BLOCKS);
	seen + Duration::from_millis(u64::from(blocks) * MILLI_SECS_PER_BLOCK)
}

/// 32 bytes from the operating system's random source.
fn fresh_salt() -> Result<[u8; 32], Failure> {
	let mut salt = [0u8; 32];
	getrandom::getrandom(&mut salt).map_err(|e| retry(anyhow::anyhow!("no randomness: {e}")))?;
	Ok(salt)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_commit_is_due_two_blocks_before_the_last_block_that_takes_it() {
		let seen = Instant::now();
		let block = Duration::from_millis(MILLI_SECS_PER_BLOCK);
		assert_eq!(commit_due(110, 100, seen), seen + block * 8);
		// Within the margin, or past the window: due at once.
		assert_eq!(commit_due(101, 100, seen), seen);
		assert_eq!(commit_due(90, 100, seen), seen);
	}
}
