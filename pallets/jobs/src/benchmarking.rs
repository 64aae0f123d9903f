//! Benchmarks of every call and hook, each in its worst case:
//! - `submit`: the largest inline input, and every agenda block it could go to but the last
//!   already full;
//! - `commit`: the last commit of the most replicas, which opens the reveals;
//! - `reveal` and `process_verdict`: the job's last reveal (or its reveal deadline) attests the
//!   last escalation panel's result, slashing every other assignee of earlier rounds as a
//!   no-show whose stake then falls under the minimum, so each is taken out of every kernel's
//!   list of a full registry;
//! - `decline`: the last assignee the last panel waited for (a replacement, so nothing is
//!   drawn again) declines, which fails the job and pays every revealer of earlier rounds its
//!   share;
//! - `decline_replaced`: a drawn assignee of the most replicas declines, and its replacement
//!   is put on the agenda in the last block it could go to;
//! - `decline_input_unavailable`: the decline that leaves a remote-input job of `n` replicas
//!   short of its quorum, failing it and paying its input deposit to every reporter (about
//!   half the seats, the most a majority quorum allows);
//! - `process_assignment`: drawing the most replicas from a full registry;
//! - `prune_job`: removing one ended job;
//! - `prioritize_duties`: the transaction extension finding an owed reveal as the last of the
//!   most assignees a job can have.

use super::*;
use alloc::{vec, vec::Vec};
use codec::Encode;
use concord_primitives::{
	kernel::KernelId,
	market::{commitment::commitment, verdict},
};
use frame_benchmarking::v2::*;
use frame_support::{
	dispatch::{DispatchInfo, GetDispatchInfo},
	pallet_prelude::TransactionSource,
	traits::{fungible::Mutate, Get, IsSubType},
	weights::WeightMeter,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use pallet_providers::{JobOutcome, ProviderRegistry, Slot};
use sp_core::H256;
use sp_runtime::traits::{
	Bounded, Dispatchable, One, Saturating, TransactionExtension, TxBaseImplication,
};

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
		quorum: verdict::majority(replicas),
		reward: 1_000_000u32.into(),
		commit_window: longest_commit_window::<T>(values),
		reveal_window: T::MinWindow::get(),
	};
	Pallet::<T>::do_submit(who.clone(), request).expect("a valid job is accepted")
}

/// Submits a sort-u32 job of `replicas` from `who` whose input is remote: the fewest values
/// that do not fit inline, with the longest commit window such a job may have.
fn submit_remote_job<T: Config>(who: &T::AccountId, replicas: u32) -> JobId {
	if frame_system::Pallet::<T>::block_number() == 0u32.into() {
		frame_system::Pallet::<T>::set_block_number(One::one());
	}
	let values = T::MaxInlineInput::get() / 4 + 1;
	let size = 4 * u64::from(values);
	let shape = concord_primitives::kernel::validate_params(KERNEL, &[values])
		.expect("valid sort-u32 params");
	let request = submit::Request::<T> {
		kernel: KERNEL,
		params: vec![values],
		input: InputSpec::Remote {
			hash: H256::repeat_byte(0x3b),
			size,
			source: b"/ip4/127.0.0.1/tcp/4001".to_vec(),
		},
		replicas,
		quorum: verdict::majority(replicas),
		reward: 1_000_000u32.into(),
		commit_window: Pallet::<T>::max_commit_window(&shape, size),
		reveal_window: T::MinWindow::get(),
	};
	Pallet::<T>::do_submit(who.clone(), request).expect("a valid remote job is accepted")
}

/// The longest commit window a sort-u32 job of `values` values may have.
fn longest_commit_window<T: Config>(values: u32) -> BlockNumberFor<T> {
	let shape = concord_primitives::kernel::validate_params(KERNEL, &[values.max(1)])
		.expect("valid sort-u32 params");
	Pallet::<T>::max_commit_window(&shape, 0)
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

/// Assigns job `id` by running the agenda of the block its draw is due, and returns its
/// assignees.
fn assign<T: Config>(id: JobId) -> Vec<T::AccountId> {
	let due = frame_system::Pallet::<T>::block_number().saturating_add(T::DrawDelay::get());
	frame_system::Pallet::<T>::set_block_number(due);
	T::BenchmarkHelper::set_randomness();
	Pallet::<T>::fold_randomness();
	Pallet::<T>::process_agenda(due, &mut WeightMeter::new());
	let job = Pallet::<T>::job(id).expect("submitted");
	assert!(matches!(job.phase, Phase::Committing { .. }), "assigned");
	job.assignees.iter().map(|a| a.provider.clone()).collect()
}

/// What a round-0 assignee did: its commitment and its reveal.
type EarlierRound<T> = fn(&<T as frame_system::Config>::AccountId) -> (Option<H256>, Option<H256>);

/// A job in its last round with `n` assignees in a full registry, each staking the minimum:
/// the last escalation panel (as much of it as `n` allows) committed to `RESULT`, and all but
/// its first member revealed it; the other assignees are round-0 providers that did what
/// `earlier` says. The first member's reveal makes the panel's quorum when `n` holds it.
/// `reshape` may change the record before it is stored; the assignees of rounds before the
/// job's then give their slots back, as the escalations that ended those rounds did.
/// Returns the job and the panel's first member, which has yet to reveal.
fn last_round_job<T: Config>(
	n: u32,
	reveal_until: BlockNumberFor<T>,
	earlier: EarlierRound<T>,
	reshape: impl FnOnce(&mut JobInfoOf<T>),
) -> (JobId, T::AccountId) {
	let providers = fill_registry::<T>();
	let who = requester::<T>();
	// The most replicas: its escrow then pays every assignee `n` allows, and its panel is the
	// largest.
	let id = submit_job::<T>(&who, 1, T::MaxReplicas::get());
	let mut job = Pallet::<T>::job(id).expect("submitted");
	let last_round = T::MaxEscalations::get() as u8;
	let panel = job.spec.panel.seats.min(n) as usize;
	for (i, provider) in providers.iter().take(n as usize).enumerate() {
		let now = frame_system::Pallet::<T>::block_number();
		T::Providers::begin_job(provider, KERNEL, now).expect("registered for every kernel");
		let sealed = H256(commitment(&RESULT.0, &SALT, &provider.encode()));
		let (round, commitment, revealed) = match i {
			0 => (last_round, Some(sealed), None),
			i if i < panel => (last_round, Some(sealed), Some(RESULT)),
			_ => {
				let (commitment, revealed) = earlier(provider);
				(0, commitment, revealed)
			}
		};
		job.assignees
			.try_push(Assignment {
				provider: provider.clone(),
				round,
				commitment,
				revealed,
				declined: false,
				outcome: None,
			})
			.expect("n is at most MaxAssignees");
	}
	job.round = last_round;
	job.spec.quorum = 1;
	job.phase = Phase::Revealing { until: reveal_until };
	Pallet::<T>::leave_queue(KERNEL);
	Pallet::<T>::unschedule(id);
	Pallet::<T>::schedule(id, reveal_until.saturating_add(One::one())).expect("room");
	reshape(&mut job);
	for provider in Pallet::<T>::awaiting_verdict(&job) {
		T::Providers::free_slot(provider);
	}
	Jobs::<T>::insert(id, job);
	(id, providers[0].clone())
}

/// A round-0 assignee that never committed.
fn no_show<T: Config>(_: &T::AccountId) -> (Option<H256>, Option<H256>) {
	(None, None)
}

/// A round-0 assignee that revealed another result.
fn revealed_other<T: Config>(provider: &T::AccountId) -> (Option<H256>, Option<H256>) {
	let other = H256::repeat_byte(0xbb);
	(Some(H256(commitment(&other.0, &SALT, &provider.encode()))), Some(other))
}

#[benchmarks(
	where T: Send + Sync,
	<T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>> + From<Call<T>> + Dispatchable<Info = DispatchInfo>,
)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit(b: Linear<4, { T::MaxInlineInput::get() }>) {
		let who = requester::<T>();
		let values = b / 4;
		let now = frame_system::Pallet::<T>::block_number();
		fill_registry::<T>();
		fill_agenda::<T>(
			now.saturating_add(T::DrawDelay::get()),
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
			verdict::majority(T::MaxReplicas::get()),
			1_000_000u32.into(),
			longest_commit_window::<T>(values),
			T::MinWindow::get(),
		);

		assert!(OpenJobs::<T>::contains_key(id));
	}

	#[benchmark]
	fn cancel() {
		let who = requester::<T>();
		let now = frame_system::Pallet::<T>::block_number();
		let due = now.saturating_add(T::DrawDelay::get());
		fill_registry::<T>();
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
		let (id, revealer) = last_round_job::<T>(n, far, no_show::<T>, |_| {});

		#[extrinsic_call]
		_(RawOrigin::Signed(revealer), id, RESULT, SALT);

		let job = Pallet::<T>::job(id).expect("kept for the retention period");
		if n >= job.spec.panel.quorum {
			assert_eq!(job.phase, Phase::Attested { result_hash: RESULT });
			assert!(job
				.assignees
				.iter()
				.all(|a| a.round > 0 || a.outcome == Some(JobOutcome::NoShow)));
		} else {
			// Too few assignees for the panel's quorum: the reveal fails the job.
			assert_eq!(job.phase, Phase::Failed { reason: FailReason::NoQuorum });
		}
	}

	#[benchmark]
	fn decline(n: Linear<2, { T::MaxAssignees::get() }>) {
		let far = frame_system::Pallet::<T>::block_number().saturating_add(100u32.into());
		// The last panel is `seats` drawn assignees that all declined and as many
		// replacements, all but the last declined too: the round waits only for the last
		// replacement, whose decline leaves nothing to replace. (A panel of fewer seats than
		// the job's, where `n` cannot hold both.)
		let mut decliner = None;
		let (id, _) = last_round_job::<T>(n, far, revealed_other::<T>, |job| {
			job.phase = Phase::Committing { until: far };
			job.spec.panel.seats = job.spec.panel.seats.min(n / 2);
			let seats = job.spec.panel.seats as usize;
			for index in 0..job.assignees.len() {
				let assignee = &mut job.assignees[index];
				if index < 2 * seats {
					assignee.round = job.round;
					assignee.commitment = None;
					assignee.revealed = None;
				} else {
					assignee.round = 0;
					(assignee.commitment, assignee.revealed) =
						revealed_other::<T>(&assignee.provider);
				}
				if index + 1 < 2 * seats {
					assignee.declined = true;
					assignee.outcome = Some(JobOutcome::Inconclusive);
					T::Providers::end_job(&assignee.provider, JobOutcome::Inconclusive, Slot::Held);
				} else if index + 1 == 2 * seats {
					decliner = Some(assignee.provider.clone());
				}
			}
		});
		let decliner = decliner.expect("n is at least 2");

		#[extrinsic_call]
		decline(RawOrigin::Signed(decliner), id);

		let job = Pallet::<T>::job(id).expect("kept for the retention period");
		assert_eq!(job.phase, Phase::Failed { reason: FailReason::NoQuorum });
	}

	#[benchmark]
	fn decline_replaced() {
		fill_registry::<T>();
		let who = requester::<T>();
		let id = submit_job::<T>(&who, 1, T::MaxReplicas::get());
		let assignees = assign::<T>(id);
		let decliner = assignees.last().expect("at least one replica").clone();
		// Every agenda block the replacement could go to but the last is full.
		let due = frame_system::Pallet::<T>::block_number().saturating_add(T::DrawDelay::get());
		fill_agenda::<T>(due, Pallet::<T>::agenda_span().saturating_sub(1));

		#[extrinsic_call]
		decline(RawOrigin::Signed(decliner), id);

		assert_eq!(Pallet::<T>::seats_to_replace(&Pallet::<T>::job(id).expect("open")), 1);
	}

	#[benchmark]
	fn decline_input_unavailable(n: Linear<2, { T::MaxReplicas::get() }>) {
		fill_registry::<T>();
		let who = requester::<T>();
		let id = submit_remote_job::<T>(&who, n);
		let assignees = assign::<T>(id);
		// Every seat the quorum can spare declines first; the next leaves it out of reach.
		let early = n.saturating_sub(verdict::majority(n)) as usize;
		for decliner in &assignees[..early] {
			Pallet::<T>::do_decline(decliner.clone(), id).expect("a remote decline is free");
		}
		let last = assignees[early].clone();

		#[extrinsic_call]
		decline(RawOrigin::Signed(last), id);

		let job = Pallet::<T>::job(id).expect("kept for the retention period");
		assert_eq!(job.phase, Phase::Failed { reason: FailReason::InputUnavailable });
	}

	#[benchmark]
	fn process_assignment() {
		// Late enough for every record to get a full draw history (the longest a draw reads).
		frame_system::Pallet::<T>::set_block_number(pallet_providers::DRAW_LOOKBACK.into());
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
		let (id, _) = last_round_job::<T>(n, now, no_show::<T>, |_| {});
		let due = now.saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(due);

		#[block]
		{
			Pallet::<T>::process_agenda(due, &mut WeightMeter::new());
		}

		let job = Pallet::<T>::job(id).expect("kept for the retention period");
		let attested = matches!(job.phase, Phase::Attested { .. });
		let failed = job.phase == Phase::Failed { reason: FailReason::NoQuorum };
		assert!(attested || failed, "the deadline settles the job");
	}

	#[benchmark]
	fn prune_job() {
		fill_registry::<T>();
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

	#[benchmark]
	fn prioritize_duties() {
		let far = frame_system::Pallet::<T>::block_number().saturating_add(100u32.into());
		let (id, revealer) = last_round_job::<T>(T::MaxAssignees::get(), far, no_show::<T>, |_| {});
		Jobs::<T>::mutate(id, |job| {
			if let Some(job) = job {
				let mut assignees = job.assignees.clone().into_inner();
				assignees.reverse();
				job.assignees = BoundedVec::truncate_from(assignees);
			}
		});
		let call: <T as frame_system::Config>::RuntimeCall =
			Call::<T>::reveal { job: id, result_hash: RESULT, salt: SALT }.into();
		let info = call.get_dispatch_info();
		let origin: T::RuntimeOrigin = RawOrigin::Signed(revealer).into();
		let extension = PrioritizeDuties::<T>::new();
		let priority;

		#[block]
		{
			let (valid, _, _) = extension
				.validate(
					origin,
					&call,
					&info,
					0,
					(),
					&TxBaseImplication(()),
					TransactionSource::External,
				)
				.expect("a duty is valid");
			priority = valid.priority;
		}

		assert_eq!(priority, priority::DUTY_PRIORITY);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
