//! What a failed command tells a script: its exit status, and with `--json` the kind of
//! failure and, for a refusal, the chain's name for it. Documented in the README, beside
//! `--json`.

use concord_worker::{
	chain::{NoSuchJob, PoolRefusal, Refusal},
	requester::NoResult,
};
use serde_json::{json, Value};

/// Why a command failed, as scripts tell failures apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
	/// Anything else: bad input, a node out of reach, a file not written. Exit status 1.
	Failed,
	/// The chain refused the transaction: the runtime with a named error, or the node's pool
	/// before any block held it. Nothing it would have done was done. Exit status 2.
	Refused,
	/// The job ended, or stands, without an attested result (`job wait`, `job submit --wait`,
	/// `job fetch`, `job grant`). Exit status 3.
	NoResult,
	/// The chain has no such job (never submitted, or pruned): every job command reads the
	/// job before it acts on it. Exit status 4.
	NotFound,
}

impl Failure {
	/// The kind of `error`, read from the typed error it carries anywhere in its chain.
	pub fn of(error: &anyhow::Error) -> Failure {
		if error.is::<NoSuchJob>() {
			Failure::NotFound
		} else if error.is::<Refusal>() || error.is::<PoolRefusal>() {
			Failure::Refused
		} else if error.is::<NoResult>() {
			Failure::NoResult
		} else {
			Failure::Failed
		}
	}

	pub fn exit_status(self) -> u8 {
		match self {
			Failure::Failed => 1,
			Failure::Refused => 2,
			Failure::NoResult => 3,
			Failure::NotFound => 4,
		}
	}

	/// The name `--json` gives the kind: `failed`, `refused`, `no_result`, `not_found`.
	pub fn name(self) -> &'static str {
		match self {
			Failure::Failed => "failed",
			Failure::Refused => "refused",
			Failure::NoResult => "no_result",
			Failure::NotFound => "not_found",
		}
	}

	/// The `--json` document of `error`: `{"error": <the whole message>, "kind": ...}`, and
	/// for a runtime's refusal `"refusal": {"section": "jobs", "name": "RewardTooLow", "docs":
	/// ...}`, the names the chain's metadata (and Polkadot.js Apps) give it.
	pub fn json(self, error: &anyhow::Error) -> Value {
		let mut document = json!({ "error": format!("{error:#}"), "kind": self.name() });
		if let Some(refusal) = error.downcast_ref::<Refusal>() {
			document["refusal"] = json!({
				"section": refusal.section,
				"name": refusal.name,
				"docs": refusal.docs,
			});
		}
		document
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use anyhow::Context;
	use concord_runtime::Runtime;

	#[test]
	fn failures_are_told_apart_through_any_context() {
		let refused: anyhow::Error =
			Refusal::of(pallet_jobs::Error::<Runtime>::RewardTooLow.into()).into();
		let refused = Err::<(), _>(refused).context("submitting job 7").unwrap_err();
		assert_eq!(Failure::of(&refused), Failure::Refused);
		let document = Failure::of(&refused).json(&refused);
		assert_eq!(document["kind"], "refused");
		assert_eq!(document["refusal"]["section"], "jobs");
		assert_eq!(document["refusal"]["name"], "RewardTooLow");
		assert!(document["error"].as_str().unwrap().starts_with("submitting job 7: jobs."));

		let pool: anyhow::Error = PoolRefusal("Inability to pay some fees".into()).into();
		assert_eq!(Failure::of(&pool).exit_status(), 2);
		assert!(Failure::of(&pool).json(&pool).get("refusal").is_none());
		let ended: anyhow::Error = NoResult { job: 3, phase: "cancelled".into() }.into();
		assert_eq!(Failure::of(&ended).exit_status(), 3);
		// Only a job pruned between the read and the call gets here: a refusal like any other.
		let unknown: anyhow::Error =
			Refusal::of(pallet_jobs::Error::<Runtime>::UnknownJob.into()).into();
		assert_eq!(Failure::of(&unknown), Failure::Refused);
		let missing: anyhow::Error = NoSuchJob(9).into();
		assert_eq!(Failure::of(&missing).json(&missing)["kind"], "not_found");
		assert_eq!(Failure::of(&missing).exit_status(), 4);
		let other = anyhow::anyhow!("connection refused");
		assert_eq!((Failure::of(&other).exit_status(), Failure::of(&other).name()), (1, "failed"));
	}
}
