//! The chain's state as people and scripts read it: amounts in CORD, phases and reasons in
//! words, and the same as JSON for `concord --json`. In JSON, amounts are strings of the
//! smallest unit (a u128 does not fit a JSON number), accounts SS58, hashes 0x-prefixed hex.

use crate::chain::{names, AccountId, Balance, JobId, JobInfo, ProviderInfo};
use concord_runtime::units::{TOKEN_DECIMALS, TOKEN_SYMBOL, UNIT};
use pallet_jobs::{Capture, FailReason, NoAssignment, Phase};
use pallet_providers::ProviderStatus;
use serde_json::{json, Value};
use sp_runtime::Perbill;

/// `units` in CORD, trailing zeros dropped: `1000 CORD`, `0.000000262144 CORD`.
pub fn cord(units: Balance) -> String {
	let decimals = usize::from(TOKEN_DECIMALS);
	let fraction = format!("{:0decimals$}", units % UNIT);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() {
		format!("{} {TOKEN_SYMBOL}", units / UNIT)
	} else {
		format!("{}.{fraction} {TOKEN_SYMBOL}", units / UNIT)
	}
}

pub fn units(amount: Balance) -> Value {
	Value::String(amount.to_string())
}

/// A share in percent with two decimals, rounded down: `33.33 %`.
pub fn percent(share: Perbill) -> String {
	hundredths_of_percent(share.deconstruct() / 100_000)
}

/// A bound in percent with two decimals, rounded up so that it stays a bound: `15.63 %`.
pub fn percent_up(bound: Perbill) -> String {
	hundredths_of_percent(bound.deconstruct().div_ceil(100_000))
}

fn hundredths_of_percent(hundredths: u32) -> String {
	format!("{}.{:02} %", hundredths / 100, hundredths % 100)
}

/// How safe a job drawn from the quoted pool is, in words: its share of the kernel's weight,
/// and each coalition's bound on the chance of a quorum.
pub fn pool_safety(share: Perbill, capture: &[Capture], quorum: u32) -> String {
	let mut bounds = capture.iter().map(|c| (percent(c.coalition), percent_up(c.chance)));
	let Some((first, chance)) = bounds.next() else {
		return format!(
			"the pool holds {} of the weight of those who could take the job",
			percent(share)
		);
	};
	let rest: Vec<String> =
		bounds.map(|(coalition, chance)| format!("{coalition}: {chance}")).collect();
	format!(
		"the pool holds {} of the weight of those who could take the job; a coalition holding \
		 {first} of that weight, whatever its prices, takes a quorum of {quorum} with a chance of \
		 at most {chance} ({})",
		percent(share),
		rest.join(", ")
	)
}

/// [`pool_safety`] as JSON: shares and chances in parts per billion.
pub fn pool_safety_json(share: Perbill, capture: &[Capture]) -> Value {
	let capture: Vec<Value> = capture
		.iter()
		.map(
			|c| json!({ "coalition_ppb": c.coalition.deconstruct(), "chance_ppb": c.chance.deconstruct() }),
		)
		.collect();
	json!({ "pool_share_ppb": share.deconstruct(), "capture": capture })
}

/// Why no provider takes a job, in words.
pub fn no_assignment(why: &NoAssignment<Balance>) -> String {
	match why {
		NoAssignment::NoProviderSupportsKernel => "no online provider runs this kernel".into(),
		NoAssignment::AllAtCapacity { listed, at_capacity, needed } => format!(
			"{at_capacity} of the {listed} providers of this kernel are busy, and the draw needs \
			 {needed} free"
		),
		NoAssignment::PriceTooLow { min_reward } => {
			format!(
				"too few providers accept the reward; {} per replica would do",
				cord(*min_reward)
			)
		}
		NoAssignment::PoolTooSmall { eligible, needed } => format!(
			"only {eligible} providers could take it, and the draw needs a pool of {needed}"
		),
	}
}

fn no_assignment_json(why: &NoAssignment<Balance>) -> Value {
	let name = match why {
		NoAssignment::NoProviderSupportsKernel => "NoProviderSupportsKernel",
		NoAssignment::AllAtCapacity { .. } => "AllAtCapacity",
		NoAssignment::PriceTooLow { .. } => "PriceTooLow",
		NoAssignment::PoolTooSmall { .. } => "PoolTooSmall",
	};
	let mut value = json!({ "reason": name, "words": no_assignment(why) });
	match why {
		NoAssignment::AllAtCapacity { listed, at_capacity, needed } => {
			value["listed"] = json!(listed);
			value["at_capacity"] = json!(at_capacity);
			value["needed"] = json!(needed);
		}
		NoAssignment::PriceTooLow { min_reward } => value["min_reward"] = units(*min_reward),
		NoAssignment::PoolTooSmall { eligible, needed } => {
			value["eligible"] = json!(eligible);
			value["needed"] = json!(needed);
		}
		NoAssignment::NoProviderSupportsKernel => {}
	}
	value
}

/// A phase in words: `committing until block #27`, `attested: 0xca09…`.
pub fn phase(phase: &Phase<u32, Balance>) -> String {
	match phase {
		Phase::Queued { until } => format!("queued for providers until block #{until}"),
		Phase::Committing { until } => format!("committing until block #{until}"),
		Phase::Revealing { until } => format!("revealing until block #{until}"),
		Phase::Attested { result_hash } => format!("attested: {}", hash(result_hash)),
		Phase::Failed { reason: FailReason::NoQuorum } => {
			"failed: no result reached the quorum".into()
		}
		Phase::Failed { reason: FailReason::Unassigned(why) } => {
			format!("failed: never assigned ({})", no_assignment(why))
		}
		Phase::Failed { reason: FailReason::Contested { attested } } => format!(
			"failed: contested (a panel attested {}, but more assignees revealed another \
			 result; nobody was slashed)",
			hash(attested)
		),
		Phase::Failed { reason: FailReason::InputUnavailable } => {
			"failed: its remote input was not available (too many assignees declined it; \
			 nobody was slashed)"
				.into()
		}
		Phase::Cancelled => "cancelled".into(),
	}
}

pub fn phase_json(phase: &Phase<u32, Balance>) -> Value {
	match phase {
		Phase::Queued { until } => json!({ "name": "Queued", "until": until }),
		Phase::Committing { until } => json!({ "name": "Committing", "until": until }),
		Phase::Revealing { until } => json!({ "name": "Revealing", "until": until }),
		Phase::Attested { result_hash } => {
			json!({ "name": "Attested", "result_hash": hash(result_hash) })
		}
		Phase::Failed { reason: FailReason::NoQuorum } => {
			json!({ "name": "Failed", "reason": "NoQuorum" })
		}
		Phase::Failed { reason: FailReason::Unassigned(why) } => {
			json!({ "name": "Failed", "reason": "Unassigned", "unassigned": no_assignment_json(why) })
		}
		Phase::Failed { reason: FailReason::Contested { attested } } => json!({
			"name": "Failed",
			"reason": "Contested",
			"attested": hash(attested),
		}),
		Phase::Failed { reason: FailReason::InputUnavailable } => {
			json!({ "name": "Failed", "reason": "InputUnavailable" })
		}
		Phase::Cancelled => json!({ "name": "Cancelled" }),
	}
}

/// A job on one line: its phase, why nobody takes it (if so), and its assignees' progress.
pub fn job_line(job: &JobInfo, why: Option<&NoAssignment<Balance>>) -> String {
	let mut line = phase(&job.phase);
	if let Some(why) = why {
		line += &format!("; no provider takes it: {}", no_assignment(why));
	}
	if !job.assignees.is_empty() {
		let committed = job.assignees.iter().filter(|a| a.commitment.is_some()).count();
		let revealed = job.assignees.iter().filter(|a| a.revealed.is_some()).count();
		line += &format!(
			"; {} assigned, {committed} committed, {revealed} revealed",
			job.assignees.len()
		);
	}
	line
}

pub fn job_json(id: JobId, job: &JobInfo, why: Option<&NoAssignment<Balance>>) -> Value {
	let assignees: Vec<Value> = job
		.assignees
		.iter()
		.map(|a| {
			json!({
				"provider": a.provider.to_string(),
				"round": a.round,
				"committed": a.commitment.is_some(),
				"revealed": a.revealed.as_ref().map(hash),
				"declined": a.declined,
				"outcome": a.outcome.map(|outcome| names::name(&outcome)),
			})
		})
		.collect();
	json!({
		"job": id,
		"requester": job.requester.to_string(),
		"kernel": job.spec.kernel.name(),
		"params": job.spec.params.to_vec(),
		"replicas": job.spec.replicas,
		"quorum": job.spec.quorum,
		"reward": units(job.spec.reward),
		"phase": phase_json(&job.phase),
		"words": job_line(job, why),
		"unassigned": why.map(no_assignment_json),
		"round": job.round,
		"assignees": assignees,
		"escrow": units(job.escrow),
		"paid": units(job.paid),
		"submitted_at": job.submitted_at,
		"ended_at": job.ended_at,
	})
}

fn status(status: &ProviderStatus<u32>) -> String {
	match status {
		ProviderStatus::Online => "online".into(),
		ProviderStatus::Offline => "offline".into(),
		ProviderStatus::Unbonding { unlock_at } => {
			format!("unbonding (stake free from block #{unlock_at})")
		}
	}
}

/// A hash as every output prints it: `0x` and 64 hex digits.
pub fn hash(hash: &impl AsRef<[u8]>) -> String {
	format!("0x{}", hex::encode(hash))
}

/// One provider's record on one line.
pub fn provider_line(account: &AccountId, info: &ProviderInfo) -> String {
	let reputation = &info.reputation;
	format!(
		"{account}: {}, stake {}, price {} per work unit, {} of {} jobs in progress, {} awaiting \
		 a verdict, kernels {}, {} agreed, {} deviated, {} no-shows",
		status(&info.status),
		cord(info.stake),
		cord(info.price_per_work_unit),
		info.active_jobs,
		info.capabilities.max_concurrent_jobs,
		info.awaiting_verdicts,
		info.capabilities.kernels.iter().map(|k| k.name()).collect::<Vec<_>>().join(","),
		reputation.agreed,
		reputation.deviated,
		reputation.no_shows,
	)
}

pub fn provider_json(account: &AccountId, info: &ProviderInfo) -> Value {
	let status = match info.status {
		ProviderStatus::Online => json!({ "name": "Online" }),
		ProviderStatus::Offline => json!({ "name": "Offline" }),
		ProviderStatus::Unbonding { unlock_at } => {
			json!({ "name": "Unbonding", "unlock_at": unlock_at })
		}
	};
	let capabilities = &info.capabilities;
	json!({
		"account": account.to_string(),
		"status": status,
		"stake": units(info.stake),
		"price_per_work_unit": units(info.price_per_work_unit),
		"kernels": capabilities.kernels.iter().map(|k| k.name()).collect::<Vec<_>>(),
		"backend": names::name(&capabilities.backend),
		"device": String::from_utf8_lossy(&capabilities.device_name),
		"memory_mib": capabilities.memory_mib,
		"active_jobs": info.active_jobs,
		"awaiting_verdicts": info.awaiting_verdicts,
		"max_concurrent_jobs": capabilities.max_concurrent_jobs,
		"reputation": {
			"agreed": info.reputation.agreed,
			"deviated": info.reputation.deviated,
			"no_shows": info.reputation.no_shows,
		},
		"endpoint": String::from_utf8_lossy(&info.endpoint),
		"registered_at": info.registered_at,
		"words": provider_line(account, info),
	})
}

/// A source of a download, for people.
pub fn source_line(source: &crate::data::SourceReport) -> String {
	let who = source.peer.map_or(source.address.to_string(), |peer| peer.to_string());
	match &source.dropped {
		None => format!("  {} pieces from {who}", source.pieces),
		Some(why) if why.is_bad_data() => {
			format!("  {} pieces from {who}, then dropped for bad data: {why}", source.pieces)
		}
		Some(why) => format!("  {} pieces from {who}, then dropped: {why}", source.pieces),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::H256;

	#[test]
	fn amounts_read_in_cord() {
		assert_eq!(cord(1_000 * 10u128.pow(12)), "1000 CORD");
		assert_eq!(cord(262_144), "0.000000262144 CORD");
		assert_eq!(cord(15 * 10u128.pow(11)), "1.5 CORD");
		assert_eq!(cord(0), "0 CORD");
		// What is printed reads back as the same amount.
		let printed = cord(15 * 10u128.pow(11)).replace(' ', "");
		assert_eq!(printed, "1.5CORD", "as --reward and --stake take it");
	}

	#[test]
	fn phases_read_in_words() {
		assert_eq!(phase(&Phase::Committing { until: 27 }), "committing until block #27");
		let failed = Phase::Failed { reason: FailReason::NoQuorum };
		assert_eq!(phase(&failed), "failed: no result reached the quorum");
		assert_eq!(phase_json(&failed), json!({ "name": "Failed", "reason": "NoQuorum" }));
		let why = NoAssignment::PoolTooSmall { eligible: 2, needed: 6 };
		let never = Phase::Failed { reason: FailReason::Unassigned(why) };
		assert!(phase(&never).contains("only 2 providers could take it"), "{}", phase(&never));
		let contested =
			Phase::Failed { reason: FailReason::Contested { attested: H256::repeat_byte(1) } };
		assert!(phase(&contested).starts_with("failed: contested"), "{}", phase(&contested));
		assert_eq!(phase_json(&contested)["reason"], "Contested");
	}

	/// Every phase in JSON and in words, as the dashboard's job page reads and writes them
	/// (`ui/src/phase.ts`); both read these vectors.
	#[test]
	fn phases_read_as_the_vectors_the_dashboard_reads() {
		let vectors: serde_json::Value =
			serde_json::from_str(include_str!("../../tests/vectors/phases.json")).unwrap();
		let unassigned = |why| Phase::Failed { reason: FailReason::Unassigned(why) };
		let phases = [
			Phase::Queued { until: 12 },
			Phase::Committing { until: 27 },
			Phase::Revealing { until: 30 },
			Phase::Attested { result_hash: H256::repeat_byte(0xca) },
			Phase::Failed { reason: FailReason::NoQuorum },
			unassigned(NoAssignment::NoProviderSupportsKernel),
			unassigned(NoAssignment::AllAtCapacity { listed: 6, at_capacity: 5, needed: 6 }),
			unassigned(NoAssignment::PriceTooLow { min_reward: 15 * 10u128.pow(11) }),
			unassigned(NoAssignment::PoolTooSmall { eligible: 2, needed: 6 }),
			Phase::Failed { reason: FailReason::Contested { attested: H256::repeat_byte(1) } },
			Phase::Failed { reason: FailReason::InputUnavailable },
			Phase::Cancelled,
		];
		let cases = vectors["cases"].as_array().unwrap();
		assert_eq!(cases.len(), phases.len());
		for (case, phase_of) in cases.iter().zip(&phases) {
			assert_eq!(phase_json(phase_of), case["phase"]);
			assert_eq!(phase(phase_of), case["words"], "{}", case["phase"]);
		}
	}

	#[test]
	fn shares_round_down_and_bounds_round_up() {
		let share = Perbill::from_parts(156_250_000);
		assert_eq!(percent(share), "15.62 %");
		assert_eq!(percent_up(share), "15.63 %", "a bound printed lower would not be one");
		assert_eq!(percent_up(Perbill::from_parts(1)), "0.01 %");
		let capture = [(10_000_000, 700_000), (50_000_000, 16_100_000)].map(|(c, p)| Capture {
			coalition: Perbill::from_parts(c),
			chance: Perbill::from_parts(p),
		});
		assert_eq!(
			pool_safety(Perbill::one(), &capture, 2),
			"the pool holds 100.00 % of the weight of those who could take the job; a coalition \
			 holding 1.00 % of that weight, whatever its prices, takes a quorum of 2 with a chance \
			 of at most 0.07 % (5.00 %: 1.61 %)"
		);
		let json = pool_safety_json(Perbill::one(), &capture);
		assert_eq!(json["pool_share_ppb"], 1_000_000_000);
		assert_eq!(
			json["capture"][1],
			json!({ "coalition_ppb": 50_000_000, "chance_ppb": 16_100_000 })
		);
	}
}
