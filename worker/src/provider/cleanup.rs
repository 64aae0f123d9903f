//! What the daemon removes as it goes: served outputs and kept inputs past their retention,
//! unfinished input downloads no job needs any more, and salts no re-org can ask for again.

use super::{retention, Retention, Work, LOG_TARGET};
use crate::data::Store;
use std::time::{Duration, SystemTime};

/// How often served outputs past their retention are removed: every 100 blocks (5 minutes
/// at 3 s a block), and when the daemon connects.
pub(super) const PRUNE_EVERY_BLOCKS: u32 = 100;

/// Removes the served outputs and kept inputs past `retention`.
pub(super) fn prune_kept(outputs: &Store, inputs: &Store, retention: Retention) {
	match retention::prune(&[outputs, inputs], retention, SystemTime::now()) {
		Ok(0) => {}
		Ok(removed) => {
			log::info!(target: LOG_TARGET, "removed {removed} outputs and inputs past their retention")
		}
		Err(e) => {
			log::warn!(target: LOG_TARGET, "removing outputs and inputs past their retention failed: {e}")
		}
	}
}

/// How long an unfinished input download may go unwritten before it is removed: longer than
/// any commit window (`MaxWindow`, half an hour), so no job can still need it.
const UNFINISHED_MAX_AGE: Duration = Duration::from_secs(3600);

/// Removes the leftovers of input downloads no job needs any more.
pub(super) fn prune_unfinished_inputs(inputs: &Store) {
	match inputs.prune_unfinished(UNFINISHED_MAX_AGE, SystemTime::now()) {
		Ok(0) => {}
		Ok(removed) => {
			log::info!(target: LOG_TARGET, "removed {removed} files of input downloads no job needs")
		}
		Err(e) => {
			log::warn!(target: LOG_TARGET, "removing input downloads no job needs failed: {e}")
		}
	}
}

/// Forgets the salts that no re-org can make necessary again: of jobs whose reveal, or end,
/// is in a finalized block, and of jobs that neither the finalized block nor the best block
/// `best` has (pruned long ago).
pub(super) async fn forget_final_salts(work: &Work, best: crate::chain::Hash) {
	let jobs = match work.journal.jobs() {
		Ok(jobs) if jobs.is_empty() => return,
		Ok(jobs) => jobs,
		Err(e) => return log::warn!(target: LOG_TARGET, "reading the journal failed: {e:#}"),
	};
	let finalized = match work.client.finalized_header().await {
		Ok(header) => header.hash(),
		Err(e) => return log::warn!(target: LOG_TARGET, "{e:#}"),
	};
	let me = work.config.signer.account();
	for job in jobs {
		let read = async {
			let at_finality = work.client.job(job, finalized).await?;
			let at_best = match at_finality {
				Some(_) => None,
				None => work.client.job(job, best).await?,
			};
			anyhow::Ok(salt_still_needed(at_finality.as_ref(), at_best.is_some(), me))
		};
		let needed = match read.await {
			Ok(needed) => needed,
			Err(e) => {
				log::warn!(target: LOG_TARGET, "job {job}: reading it at the finalized block failed: {e:#}");
				continue;
			}
		};
		if !needed {
			if let Err(e) = work.journal.remove(job) {
				log::warn!(target: LOG_TARGET, "job {job}: forgetting its salt failed: {e:#}");
			}
		}
	}
}

/// Whether provider `me`'s salt for a job can still be asked for, given the job as the
/// finalized chain has it (`None`: not there) and whether the best chain has it. A job that
/// only the best chain has keeps its salt: its commit may be in a block not yet final.
fn salt_still_needed(
	finalized: Option<&crate::chain::JobInfo>,
	on_best_chain: bool,
	me: &crate::chain::AccountId,
) -> bool {
	let Some(info) = finalized else { return on_best_chain };
	info.phase.is_open()
		&& !info.assignees.iter().any(|a| &a.provider == me && a.revealed.is_some())
}
