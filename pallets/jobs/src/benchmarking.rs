//! Benchmarks of every call and hook, each in its worst case:
//! - `submit`: the largest inline input, and every agenda block it could go to but the last
//!   already full;
//! - `commit`: the last commit of the most replicas, which opens the reveals;
//! - `reveal` and `process_verdict`: the job's last reveal (or its reveal deadline) fails it
//!   after every escalation, slashing `n - 1` no-shows whose stake then falls under the
//!   minimum, so each is taken out of every kernel's list of a full registry;
//! - `process_assignment`: drawing the most replicas from a full registry;
//! - `prune_job`: removing one ended job.

use super::*;
use alloc::{vec, vec::Vec};
use codec::Encode;
use concord_primitives::{kernel::KernelId, market::commitment::commitment};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	weights::WeightMeter,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use pallet_providers::{JobOutcome, ProviderRegistry};
use sp_core::H256;
use sp_runtime::traits::{Bounded, One, Saturating};

const KERNEL: KernelId = KernelId::SortU32;
const RESULT: H256 = H256::repeat_byte(0xaa);
const SALT: [u8; 32] = [7; 32];

/// A requester rich enough for any job here.
fn requester<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("requester", 0, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

/// Registers providers (price 0, minimum stake, every kernel) until the registry is full, and
/// returns them.
fn fill_registry<T: Config>() -> Vec<T::AccountId> {
	let mut registered = Vec::new();
	for i in 0..10_000u32 {
		let who: T::AccountId = account("provider", i, 0);
		if T::Providers::register_for_benchmarks(&who, 0u32.into()).is_err() {
			break;
		}
		registered.push(who);
	}
	registered
}

/// Submits a sort-u32 job of `values` values (4 bytes each, inline) from `who`.
///
/// Moves off block 0 first: the benchmark runner sets block 0 to 1 before the measured code,
/// which would skip the block the job's agenda entry is in.
fn submit_job<T: Config>(who: &T::AccountId, values: u32, replicas: u32) -> JobId {
	if frame_system::Pallet::<T>::block_number() == 0u32.into() {
		frame_system::Pallet::<T>::set_block_number(One::one());
	}
	let request = submit::Request::<T> {
		kernel: KERNEL,
		params: vec![values.max(1)],
		input: InputSpec::Inline(vec![0u8; 4 * values.max(1) as usize]),
		replicas,
		quorum: replicas / 2 + 1,
		reward: 1_000_000u32.into(),
		commit_window: T::MinWindow::get(),
		reveal_window: T::MinWindow::get(),
	};
	Pallet::<T>::do_submit(who.clone(), request).expect("a valid job is accepted")
}

/// Fills the agenda of `count` blocks from `from` with placeholder entries.
fn fill_agenda<T: Config>(from: BlockNumberFor<T>, count: u32) {
	let mut block = from;
	for _ in 0..count {
		let full: Vec<JobId> =
			(0..T::MaxAgendaPerBlock::get()).map(|i| JobId::MAX - i as u64).collect();
		Agenda::<T>::insert(block, BoundedVec::truncate_from(full));
		block.saturating_inc();
	}
}

/// Assigns job `id` by running the agenda of the next block, and returns its assignees.
fn assign<T: Config>(id: JobId) -> Vec<T::AccountId> {
	let next = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
	frame_system::Pallet::<T>::set_block_number(next);
	T::BenchmarkHelper::set_randomness();
	Pallet::<T>::process_agenda(next, &mut WeightMeter::new());
	let job = Pallet::<T>::job(id).expect("submitted");
	assert!(matches!(job.phase, Phase::Committing { .. }), "assigned");
	job.assignees.iter().map(|a| a.provider.clone()).collect()
}

/// A job in its last round with `n` assignees: the first committed in this round and has yet
/// to reveal, the other `n - 1` are no-shows of round 0, each staking the minimum in a full
/// registry. A reveal (or the reveal deadline) fails it and slashes them all.
fn last_round_job<T: Config>(n: u32, reveal_until: BlockNumberFor<T>) -> (JobId, T::AccountId) {
	let providers = fill_registry::<T>();
	let who = requester::<T>();
	let id = submit_job::<T>(&who, 1, 1);
	let mut job = Pallet::<T>::job(id).expect("submitted");
	let last_round = T::MaxEscalations::get() as u8;
	for (i, provider) in providers.iter().take(n as usize).enumerate() {
		T::Providers::begin_job(provider, KERNEL).expect("registered for every kernel");
		let revealer = i == 0;
		job.assignees
			.try_push(Assignment {
				provider: provider.clone(),
				round: if revealer { last_round } else { 0 },
				commitment: revealer
					.then(|| H256(commitment(&RESULT.0, &SALT, &provider.encode()))),
				revealed: None,
				outcome: None,
			})
			.expect("n is at most MaxAssignees");
	}
	job.round = last_round;
	job.spec.quorum = 2;
	job.phase = Phase::Revealing { until: reveal_until };
	Pallet::<T>::unschedule(id);
	Pallet::<T>::schedule(id, reveal_until.saturating_add(One::one())).expect("room");
	Jobs::<T>::insert(id, job);
	(id, providers[0].clone())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit(b: Linear<4, { T::MaxInlineInput::get() }>) {
		let who = requester::<T>();
		let values = b / 4;
		let now = frame_system::Pallet::<T>::block_number();
		fill_agenda::<T>(
			now.saturating_add(One::one()),
			Pallet::<T>::agenda_span().saturating_sub(1),
		);
		let id = NextJobId::<T>::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			KERNEL,
			vec![values.max(1)],
			InputSpec::Inline(vec![0u8; 4 * values.max(1) as usize]),
			T::MaxReplicas::get(),
			T::MaxReplicas::get() / 2 + 1,
			1_000_000u32.into(),
			T::MinWindow::get(),
			T::MinWindow::get(),
		);

		assert!(OpenJobs::<T>::contains_key(id));
	}

	#[benchmark]
	fn cancel() {
		let who = requester::<T>();
		let now = frame_system::Pallet::<T>::block_number();
		let due = now.saturating_add(One::one());
		fill_agenda::<T>(due, 1);
		Agenda::<T>::mutate(due, |entries| {
			entries.pop();
		});
		let id = submit_job::<T>(&who, T::MaxInlineInput::get() / 4, T::MaxReplicas::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);

		assert_eq!(Pallet::<T>::job(id).map(|job| job.phase), Some(Phase::Cancelled));
	}

	#[benchmark]
	fn commit() {
		fill_registry::<T>();
		let who = requester::<T>();
		let id = submit_job::<T>(&who, 1, T::MaxReplicas::get());
		let assignees = assign::<T>(id);
		let (last, others) = assignees.split_last().expect("at least one replica");
		for provider in others {
			let sealed = H256(commitment(&RESULT.0, &SALT, &provider.encode()));
			Pallet::<T>::do_commit(provider.clone(), id, sealed).expect("assignee commits");
		}
		let sealed = H256(commitment(&RESULT.0, &SALT, &last.encode()));

		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), id, sealed);

		let job = Pallet::<T>::job(id).expect("open");
		assert!(matches!(job.phase, Phase::Revealing { .. }), "the last commit opens reveals");
	}

	#[benchmark]
	fn reveal(n: Linear<1, { T::MaxAssignees::get() }>) {
		let far = frame_system::Pallet::<T>::block_number().saturating_add(100u32.into());
		let (id, revealer) = last_round_job::<T>(n, far);

		#[extrinsic_call]
		_(RawOrigin::Signed(revealer), id, RESULT, SALT);

		let job = Pallet::<T>::job(id).expect("kept for the retention period");
		assert_eq!(job.phase, Phase::Failed { reason: FailReason::NoQuorum });
		assert!(job.assignees.iter().skip(1).all(|a| a.outcome == Some(JobOutcome::NoShow)));
	}

	#[benchmark]
	fn process_assignment() {
		fill_registry::<T>();
		let who = requester::<T>();
		let id = submit_job::<T>(&who, 1, T::MaxReplicas::get());

		#[block]
		{
			assign::<T>(id);
		}

		assert_eq!(
			Pallet::<T>::job(id).expect("open").assignees.len() as u32,
			T::MaxReplicas::get()
		);
	}

	#[benchmark]
	fn process_verdict(n: Linear<1, { T::MaxAssignees::get() }>) {
		let now = frame_system::Pallet::<T>::block_number();
		let (id, _) = last_round_job::<T>(n, now);
		let due = now.saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(due);

		#[block]
		{
			Pallet::<T>::process_agenda(due, &mut WeightMeter::new());
		}

		let job = Pallet::<T>::job(id).expect("kept for the retention period");
		assert_eq!(job.phase, Phase::Failed { reason: FailReason::NoQuorum });
	}

	#[benchmark]
	fn prune_job() {
		let who = requester::<T>();
		let id = submit_job::<T>(&who, T::MaxInlineInput::get() / 4, T::MaxReplicas::get());
		Pallet::<T>::do_cancel(who, id).expect("queued jobs can be cancelled");
		let after = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::Retention::get())
			.saturating_add(One::one());

		#[block]
		{
			Pallet::<T>::prune_ended(after, &mut WeightMeter::new());
		}

		assert!(Pallet::<T>::job(id).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
