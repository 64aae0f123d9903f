//! Submitting and cancelling jobs: every check runs before the first write, so a refused
//! submission changes nothing.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use concord_primitives::kernel::{self, KernelId, ParamsError};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::traits::{CheckedAdd, CheckedMul, One, Saturating, Zero};

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
		ensure!(quorum.saturating_mul(2) > replicas, Error::<T>::QuorumTooLow);
		ensure!(!reward.is_zero(), Error::<T>::ZeroReward);
		for window in [commit_window, reveal_window] {
			ensure!(window >= T::MinWindow::get(), Error::<T>::WindowTooShort);
			ensure!(window <= T::MaxWindow::get(), Error::<T>::WindowTooLong);
		}
		ensure!(OpenJobs::<T>::count() < T::MaxOpenJobs::get(), Error::<T>::TooManyOpenJobs);
		let inline_len = inline.as_ref().map_or(0, |bytes| bytes.len() as u32);
		let deposit = Self::deposit_for(inline_len).ok_or(Error::<T>::EscrowOverflow)?;
		let escrow = reward
			.checked_mul(&replicas.into())
			.and_then(|rewards| rewards.checked_add(&deposit))
			.ok_or(Error::<T>::EscrowOverflow)?;
		Self::ensure_can_hold(&who, escrow)?;

		let now = frame_system::Pallet::<T>::block_number();
		let id = NextJobId::<T>::get();
		// Assigned next block, from the VRF output of this one.
		Self::schedule(id, now.saturating_add(One::one()))?;
		T::Currency::hold(&HoldReason::JobEscrow.into(), &who, escrow)?;
		let job = JobInfo {
			requester: who.clone(),
			spec: JobSpec {
				kernel,
				params,
				input,
				work_units: shape.work_units(),
				replicas,
				quorum,
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

	/// The deposit for a job with `inline_len` bytes of inline input.
	pub(crate) fn deposit_for(inline_len: u32) -> Option<BalanceOf<T>> {
		T::ByteDeposit::get()
			.checked_mul(&inline_len.into())
			.and_then(|bytes| bytes.checked_add(&T::JobDeposit::get()))
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
				ensure!(!source.is_empty(), Error::<T>::SourceEmpty);
				let source: BoundedVec<u8, T::MaxSourceLen> =
					source.try_into().map_err(|_| Error::<T>::SourceTooLong)?;
				ensure!(
					source[0] == b'/' && source.iter().all(|b| b.is_ascii_graphic()),
					Error::<T>::InvalidSource
				);
				Ok((InputRef { hash, size, source: Some(source) }, None))
			}
		}
	}

	fn params_error(error: ParamsError) -> DispatchError {
		match error {
			ParamsError::WrongParamCount { .. } => Error::<T>::WrongParamCount.into(),
			ParamsError::OutOfRange { .. } => Error::<T>::ParamOutOfRange.into(),
		}
	}

	/// Fails with `InsufficientBalance` unless `who` can hold `amount` more and stay alive.
	pub(crate) fn ensure_can_hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let free = T::Currency::reducible_balance(who, Preservation::Preserve, Fortitude::Polite);
		ensure!(free >= amount, Error::<T>::InsufficientBalance);
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
		Self::refund_escrow(id, job);
		job.phase = phase;
		job.ended_at = Some(now);
		JobInputs::<T>::remove(id);
		OpenJobs::<T>::remove(id);
		EndedRange::<T>::mutate(|(_, next)| {
			Ended::<T>::insert(*next, id);
			*next = next.saturating_add(1);
		});
	}
}
