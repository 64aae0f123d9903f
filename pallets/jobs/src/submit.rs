//! Submitting and cancelling jobs: every check runs before the first write, so a refused
//! submission changes nothing.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use concord_primitives::{
	kernel::{self, KernelId, ParamsError},
	market::{panel::Panel, verdict, window},
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::traits::{CheckedAdd, CheckedMul, SaturatedConversion, Saturating, Zero};

/// A checked input: its stored reference, and the bytes to store when it is inline.
type CheckedInput<T> =
	(InputRef<<T as Config>::MaxSourceLen>, Option<BoundedVec<u8, <T as Config>::MaxInlineInput>>);

/// A job as the requester sends it (the arguments of `submit`).
pub struct Request<T: Config> {
	pub kernel: KernelId,
	pub params: Vec<u32>,
	pub input: InputSpec,
	pub replicas: u32,
	pub quorum: u32,
	pub reward: BalanceOf<T>,
	pub commit_window: BlockNumberFor<T>,
	pub reveal_window: BlockNumberFor<T>,
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit(
		who: T::AccountId,
		request: Request<T>,
	) -> Result<JobId, DispatchError> {
		let Request {
			kernel,
			params,
			input,
			replicas,
			quorum,
			reward,
			commit_window,
			reveal_window,
		} = request;
		let params: Params = params.try_into().map_err(|_| Error::<T>::TooManyParams)?;
		let shape = kernel::validate_params(kernel, &params).map_err(Self::params_error)?;
		let (input, inline) = Self::checked_input(&shape, input)?;
		ensure!(replicas > 0, Error::<T>::ZeroReplicas);
		ensure!(replicas <= T::MaxReplicas::get(), Error::<T>::TooManyReplicas);
		ensure!(quorum <= replicas, Error::<T>::QuorumAboveReplicas);
		ensure!(verdict::is_majority(quorum, replicas), Error::<T>::QuorumTooLow);
		ensure!(!reward.is_zero(), Error::<T>::ZeroReward);
		for window in [commit_window, reveal_window] {
			ensure!(window >= T::MinWindow::get(), Error::<T>::WindowTooShort);
		}
		ensure!(reveal_window <= T::MaxRevealWindow::get(), Error::<T>::WindowTooLong);
		let remote_bytes = input.remote_bytes();
		let needed_window: BlockNumberFor<T> = Self::min_commit_window(&shape, remote_bytes).into();
		ensure!(needed_window <= T::MaxWindow::get(), Error::<T>::TooMuchWork);
		ensure!(commit_window >= needed_window, Error::<T>::WindowTooShort);
		ensure!(
			commit_window <= Self::max_commit_window(&shape, remote_bytes),
			Error::<T>::WindowTooLong
		);
		ensure!(OpenJobs::<T>::count() < T::MaxOpenJobs::get(), Error::<T>::TooManyOpenJobs);
		let open_of_requester = OpenJobsOf::<T>::get(&who);
		ensure!(
			open_of_requester < T::MaxOpenJobsPerRequester::get(),
			Error::<T>::TooManyOpenJobsForRequester
		);
		let work_units = shape.work_units();
		Self::ensure_assignable(&who, &shape, replicas, reward)?;
		let inline_len = inline.as_ref().map_or(0, |bytes| bytes.len() as u32);
		let input_deposit = if input.is_remote() {
			Self::input_deposit_for(replicas).ok_or(Error::<T>::EscrowOverflow)?
		} else {
			Zero::zero()
		};
		let deposit = Self::deposit_for(inline_len, open_of_requester)
			.and_then(|deposit| deposit.checked_add(&input_deposit))
			.ok_or(Error::<T>::EscrowOverflow)?;
		let panel = Self::panel_for(replicas, quorum);
		let escrow = reward
			.checked_mul(&Self::replicas_held(replicas, panel).into())
			.and_then(|rewards| rewards.checked_add(&deposit))
			.ok_or(Error::<T>::EscrowOverflow)?;
		Self::ensure_can_hold(&who, escrow)?;

		let now = frame_system::Pallet::<T>::block_number();
		let id = NextJobId::<T>::get();
		// Drawn once the VRF outputs of the blocks in between, unknown now, are mixed in.
		Self::schedule(id, now.saturating_add(T::DrawDelay::get()))?;
		T::Currency::hold(&HoldReason::JobEscrow.into(), &who, escrow)?;
		OpenJobsOf::<T>::insert(&who, open_of_requester.saturating_add(1));
		Self::enter_queue(kernel);
		let job = JobInfo {
			requester: who.clone(),
			spec: JobSpec {
				kernel,
				params,
				input,
				work_units,
				replicas,
				quorum,
				panel,
				reward,
				commit_window,
				reveal_window,
			},
			phase: Phase::Queued { until: now.saturating_add(T::AssignmentTimeout::get()) },
			round: 0,
			assignees: BoundedVec::new(),
			escrow,
			deposit,
			paid: Zero::zero(),
			unassigned: None,
			submitted_at: now,
			ended_at: None,
		};
		Jobs::<T>::insert(id, job);
		if let Some(bytes) = inline {
			JobInputs::<T>::insert(id, bytes);
		}
		if !input_deposit.is_zero() {
			InputDeposits::<T>::insert(id, input_deposit);
		}
		NextJobId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::Submitted {
			job: id,
			requester: who,
			kernel,
			replicas,
			quorum,
			reward,
			escrow,
		});
		Ok(id)
	}

	pub(crate) fn do_cancel(who: T::AccountId, id: JobId) -> DispatchResult {
		let mut job = Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.requester == who, Error::<T>::NotRequester);
		ensure!(job.phase.is_open(), Error::<T>::JobEnded);
		ensure!(
			matches!(job.phase, Phase::Queued { .. }) && job.assignees.is_empty(),
			Error::<T>::AlreadyAssigned
		);
		Self::unschedule(id);
		Self::deposit_event(Event::Cancelled { job: id });
		Self::end(id, &mut job, Phase::Cancelled);
		Jobs::<T>::insert(id, job);
		Ok(())
	}

	/// The deposit for a job with `inline_len` bytes of inline input from a requester that
	/// has `already_open` jobs open: each open job makes the next one dearer, and it holds the
	/// fees of every assignment attempt that may find no pool ([`Self::retry_budget`]).
	pub(crate) fn deposit_for(inline_len: u32, already_open: u32) -> Option<BalanceOf<T>> {
		let per_job = T::JobDeposit::get().checked_mul(&already_open.saturating_add(1).into())?;
		T::ByteDeposit::get()
			.checked_mul(&inline_len.into())
			.and_then(|bytes| bytes.checked_add(&per_job))
			.and_then(|deposit| deposit.checked_add(&Self::retry_budget()))
	}

	/// What a job of `replicas` whose input is remote holds for it, for its reporters to share
	/// if the input never arrives ([`Config::InputDeposit`] per first-round seat).
	pub(crate) fn input_deposit_for(replicas: u32) -> Option<BalanceOf<T>> {
		T::InputDeposit::get().checked_mul(&replicas.into())
	}

	/// The panel that judges a round of `replicas` decided by `quorum` when it has no quorum:
	/// at least `EscalationReplicas` seats, never weaker than the round.
	pub(crate) fn panel_for(replicas: u32, quorum: u32) -> Panel {
		Panel::judging(replicas, quorum, T::EscalationReplicas::get())
	}

	/// Replicas whose rewards a job of `replicas` escalating to `panel` holds: its own, and
	/// every escalation panel it may need, so that no escalation can fail for want of funds.
	pub(crate) fn replicas_held(replicas: u32, panel: Panel) -> u32 {
		T::MaxEscalations::get().saturating_mul(panel.seats).saturating_add(replicas)
	}

	/// The shortest commit window a job of `shape` may ask for: the work on the slowest
	/// accepted device, and the transfer of `remote_bytes` of remote input (0 for inline).
	pub(crate) fn min_commit_window(shape: &kernel::KernelShape, remote_bytes: u64) -> u32 {
		let base: u32 = T::MinWindow::get().saturated_into();
		let block_millis = T::ExpectedBlockMillis::get();
		window::min_commit_window(shape.kernel(), shape.work_units(), block_millis, base)
			.saturating_add(window::transfer_blocks(remote_bytes, block_millis))
	}

	/// The longest commit window a job of `shape` may ask for: ten times what its work needs,
	/// at most `MaxWindow` (NM3: a colluding assignee that commits in the window's last block
	/// holds the slots of every honest one that committed early).
	pub(crate) fn max_commit_window(
		shape: &kernel::KernelShape,
		remote_bytes: u64,
	) -> BlockNumberFor<T> {
		let longest: BlockNumberFor<T> =
			window::max_commit_window(Self::min_commit_window(shape, remote_bytes)).into();
		longest.min(T::MaxWindow::get())
	}

	/// Refuses a job that no reward-compatible pool could take: nobody runs the kernel, too
	/// few ever could, or too few accept the reward. A pool that is only busy is fine, and the
	/// job waits for free slots, unless `MaxQueuedPerKernel` jobs of its kernel wait already
	/// (a job whose pool is free now is taken even then: squatting the queue cannot hold it up).
	fn ensure_assignable(
		who: &T::AccountId,
		shape: &kernel::KernelShape,
		replicas: u32,
		reward: BalanceOf<T>,
	) -> DispatchResult {
		let round = crate::assign::Round::first(shape, replicas, reward, Some(who));
		match Self::check_assignable(&round) {
			Ok(()) => Ok(()),
			Err(NoAssignment::AllAtCapacity { .. }) if Self::queue_is_full(shape.kernel()) => {
				Err(Error::<T>::KernelQueueFull.into())
			}
			Err(NoAssignment::AllAtCapacity { .. }) => Ok(()),
			Err(NoAssignment::NoProviderSupportsKernel) => {
				Err(Error::<T>::NoProviderSupportsKernel.into())
			}
			Err(NoAssignment::PoolTooSmall { .. }) => Err(Error::<T>::PoolTooSmall.into()),
			Err(NoAssignment::PriceTooLow { .. }) => Err(Error::<T>::RewardTooLow.into()),
		}
	}

	/// Checks the input against the kernel's contract; returns its stored reference and, for
	/// inline input, the bytes to store.
	fn checked_input(
		shape: &kernel::KernelShape,
		input: InputSpec,
	) -> Result<CheckedInput<T>, DispatchError> {
		let expected = shape.input_len();
		match input {
			InputSpec::Inline(bytes) => {
				let bytes: BoundedVec<u8, T::MaxInlineInput> =
					bytes.try_into().map_err(|_| Error::<T>::InlineInputTooLarge)?;
				ensure!(bytes.len() as u64 == expected, Error::<T>::InputSizeMismatch);
				kernel::check_input(shape, &bytes).map_err(|_| Error::<T>::InvalidInput)?;
				let hash = H256(sp_crypto_hashing::blake2_256(&bytes));
				Ok((InputRef { hash, size: expected, source: None }, Some(bytes)))
			}
			InputSpec::Remote { hash, size, source } => {
				ensure!(size == expected, Error::<T>::InputSizeMismatch);
				// Inline is better whenever it fits: the chain holds it, so it is never
				// unavailable, and the quote's window assumes it.
				ensure!(!Self::fits_inline(size), Error::<T>::RemoteInputFitsInline);
				ensure!(!hash.is_zero(), Error::<T>::MissingRoot);
				ensure!(!source.is_empty(), Error::<T>::SourceEmpty);
				let source: BoundedVec<u8, T::MaxSourceLen> =
					source.try_into().map_err(|_| Error::<T>::SourceTooLong)?;
				ensure!(
					concord_primitives::address::looks_like_multiaddrs(&source),
					Error::<T>::InvalidSource
				);
				// Its content rules (mlp-i8's shifts) are checked by each provider once the
				// bytes arrive; a provider that cannot obtain them declines for free.
				Ok((InputRef { hash, size, source: Some(source) }, None))
			}
		}
	}

	/// Whether an input of `len` bytes goes inline, on chain: at most `MaxInlineInput`. The one
	/// rule for which inputs `submit` takes inline and which remote, and for what the quote
	/// prices as which.
	pub(crate) fn fits_inline(len: u64) -> bool {
		len <= u64::from(T::MaxInlineInput::get())
	}

	fn params_error(error: ParamsError) -> DispatchError {
		match error {
			ParamsError::WrongParamCount { .. } => Error::<T>::WrongParamCount.into(),
			ParamsError::OutOfRange { .. } => Error::<T>::ParamOutOfRange.into(),
		}
	}

	/// Fails with `InsufficientBalance` unless `who` can hold `amount` more and stay alive.
	pub(crate) fn ensure_can_hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(
			pallet_providers::can_hold::<_, T::Currency>(who, amount),
			Error::<T>::InsufficientBalance
		);
		Ok(())
	}

	/// Gives back what is left of a job's escrow to its requester.
	fn refund_escrow(id: JobId, job: &mut JobInfoOf<T>) {
		let amount = core::mem::take(&mut job.escrow);
		job.deposit = Zero::zero();
		if amount.is_zero() {
			return;
		}
		let released = T::Currency::release(
			&HoldReason::JobEscrow.into(),
			&job.requester,
			amount,
			Precision::BestEffort,
		)
		.unwrap_or_else(|_| Zero::zero());
		if released != amount {
			frame_support::defensive!("escrow on hold differs from the job's record");
		}
		Self::deposit_event(Event::Refunded {
			job: id,
			requester: job.requester.clone(),
			amount: released,
		});
	}

	/// Moves a job to its final `phase`: refunds the rest of the escrow, drops its inline
	/// input and queues it for pruning. The caller stores `job`.
	pub(crate) fn end(id: JobId, job: &mut JobInfoOf<T>, phase: PhaseOf<T>) {
		let now = frame_system::Pallet::<T>::block_number();
		if matches!(job.phase, Phase::Queued { .. }) {
			Self::leave_queue(job.spec.kernel);
		}
		Self::refund_escrow(id, job);
		job.phase = phase;
		job.ended_at = Some(now);
		JobInputs::<T>::remove(id);
		InputDeposits::<T>::remove(id);
		OpenJobs::<T>::remove(id);
		OpenJobsOf::<T>::mutate_exists(&job.requester, |count| {
			*count = count.map(|open| open.saturating_sub(1)).filter(|open| *open > 0);
		});
		EndedRange::<T>::mutate(|(_, next)| {
			Ended::<T>::insert(*next, id);
			*next = next.saturating_add(1);
		});
	}
}
