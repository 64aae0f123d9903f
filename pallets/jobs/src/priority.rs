//! Providers doing their duty go first in the transaction pool and the block.
//!
//! A commit or a decline in an open commit window, or a reveal that matches its commitment in
//! an open reveal window, sent by the assignee who owes it, gets [`DUTY_PRIORITY`] on top of
//! the priority the other extensions give it. Without this, anyone tipping a little could
//! fill blocks ahead of tip-less duties until their windows closed, and honest providers would
//! be slashed as no-shows.
//!
//! The boost cannot be farmed (NM1 in ../shared/reviews/SECURITY-REVIEW.md):
//! - only a call that would succeed gets it: a reveal with a wrong salt or hash, which fails,
//!   used to keep the boost for the whole reveal window, and an assignee could send one every
//!   block, with a small tip, ahead of every honest duty;
//! - a boosted call `provides` a tag naming its job, its sender and its duty (a commit and a
//!   decline are one duty), so the pool holds one transaction per duty: a second copy with
//!   another nonce is refused, not queued beside the first to fail in the same block;
//! - the tag lives until the duty's window closes, when the pool drops it.

use crate::{pallet::*, Duty, JobId, WeightInfo};
use codec::{Decode, DecodeWithMemTracking, Encode};
use concord_primitives::market::commitment::commitment;
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
	transaction_validity::{TransactionLongevity, TransactionPriority, ValidTransaction},
	SaturatedConversion, Saturating,
};

/// What a boosted duty's pool tag starts with.
const DUTY_TAG: &[u8] = b"concord/jobs/duty";

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

	/// If `who`'s `call` does a duty `who` owes now and would succeed (a reveal must match
	/// the commitment), the last block of the duty's window.
	fn owed_until(
		who: &T::AccountId,
		call: &T::RuntimeCall,
	) -> Option<frame_system::pallet_prelude::BlockNumberFor<T>> {
		let (job, _) = Self::duty_call(call)?;
		let info = Jobs::<T>::get(job)?;
		let now = frame_system::Pallet::<T>::block_number();
		match (Pallet::<T>::duty_of(&info, who, now)?, call.is_sub_type()?) {
			(Duty::Commit { until }, Call::commit { .. } | Call::decline { .. }) => Some(until),
			(Duty::Reveal { until }, Call::reveal { result_hash, salt, .. }) => {
				let mine = info.assignees.iter().find(|a| a.provider == *who)?;
				let expected = commitment(&result_hash.0, salt, &who.encode());
				(mine.commitment?.0 == expected).then_some(until)
			}
			_ => None,
		}
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
		let owed = origin.as_signer().and_then(|who| {
			let until = Self::owed_until(who, call)?;
			let (job, reveal) = Self::duty_call(call)?;
			Some(((DUTY_TAG, job, who, reveal).encode(), until))
		});
		let Some((tag, until)) = owed else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		let now = frame_system::Pallet::<T>::block_number();
		let longevity: TransactionLongevity =
			until.saturating_sub(now).saturating_add(1u32.into()).saturated_into();
		let valid = ValidTransaction {
			priority: DUTY_PRIORITY,
			provides: alloc::vec![tag],
			longevity,
			..Default::default()
		};
		Ok((valid, (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
