//! Providers doing their duty go first in the transaction pool and the block.
//!
//! A commit or a decline in an open commit window, or a reveal in an open reveal window, sent
//! by the assignee who owes it, gets [`DUTY_PRIORITY`] on top of the priority the other
//! extensions give it. Without this, anyone tipping a little could fill blocks ahead of
//! tip-less duties until their windows closed, and honest providers would be slashed as
//! no-shows. The boost cannot be farmed: each duty is done once (a second commit or reveal is
//! refused by the pool), and only an assignee of the job's current round has one.

use crate::{pallet::*, Duty, JobId, WeightInfo};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::{TransactionSource, Weight},
	traits::{IsSubType, OriginTrait},
	DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, TransactionExtension, ValidateResult},
	transaction_validity::{TransactionPriority, ValidTransaction},
};

/// Added to the priority of a duty done in its window: half the range. `ChargeTransactionPayment`
/// ranks a normal transaction by its tip times the number of such transactions a block holds
/// (about 10^4 for a small one), so only a tip of about a thousand CORD (10^15 plank) could
/// rank above a duty.
pub const DUTY_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

/// The transaction extension that raises the priority of duties (see the module's docs). It
/// adds nothing to the transaction or to what is signed.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct PrioritizeDuties<T>(PhantomData<T>);

impl<T> PrioritizeDuties<T> {
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for PrioritizeDuties<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "PrioritizeDuties")
	}
}

impl<T: Config + Send + Sync> PrioritizeDuties<T>
where
	T::RuntimeCall: IsSubType<Call<T>>,
{
	/// The job a call does a duty for, and which duty that is.
	fn duty_call(call: &T::RuntimeCall) -> Option<(JobId, bool)> {
		match call.is_sub_type()? {
			Call::commit { job, .. } | Call::decline { job } => Some((*job, false)),
			Call::reveal { job, .. } => Some((*job, true)),
			_ => None,
		}
	}

	/// Whether `who` owes this duty now.
	fn owed(who: &T::AccountId, job: JobId, reveal: bool) -> bool {
		let Some(info) = Jobs::<T>::get(job) else { return false };
		let now = frame_system::Pallet::<T>::block_number();
		matches!(
			(Pallet::<T>::duty_of(&info, who, now), reveal),
			(Some(Duty::Commit { .. }), false) | (Some(Duty::Reveal { .. }), true)
		)
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for PrioritizeDuties<T>
where
	T::RuntimeCall: IsSubType<Call<T>>,
{
	const IDENTIFIER: &'static str = "PrioritizeDuties";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	/// Reading the job, for the calls that can be duties (benchmarked with the most
	/// assignees, the caller last).
	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		match Self::duty_call(call) {
			Some(_) => T::WeightInfo::prioritize_duties(),
			None => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: T::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let owed = match (origin.as_signer(), Self::duty_call(call)) {
			(Some(who), Some((job, reveal))) => Self::owed(who, job, reveal),
			_ => false,
		};
		let priority = if owed { DUTY_PRIORITY } else { 0 };
		Ok((ValidTransaction { priority, ..Default::default() }, (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
