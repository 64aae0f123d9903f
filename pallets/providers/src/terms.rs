//! The terms a draw sees of a provider: the ones in force at a block (its prior terms until
//! the activation delay after a change is over), what the draw history remembers, and the
//! listing in the kernel index that its status implies.

use crate::{
	pallet::*,
	types::*,
	view::{self, DRAW_LOOKBACK},
};
use concord_primitives::kernel::KernelId;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// The terms assignment uses for `info` at block `now`: its prior terms until the
	/// activation delay after its last change is over, then its own.
	pub(crate) fn terms_in_force(info: &ProviderInfoOf<T>, now: BlockNumberFor<T>) -> TermsOf<T> {
		Self::view_of(info, now).1
	}

	/// What a draw reading the registry as of the end of block `at` sees of `info` (see
	/// [`crate::view`]), and the terms in force for it then.
	pub(crate) fn view_of(
		info: &ProviderInfoOf<T>,
		at: BlockNumberFor<T>,
	) -> (SeenOf<T>, TermsOf<T>) {
		let seen = view::seen_at(&info.history, info.seen(), &at);
		let terms = seen.terms_in_force(at, T::ActivationDelay::get());
		(seen, terms)
	}

	/// Whether no draw can see `info` online now or in any view it may still read (one of the
	/// last [`DRAW_LOOKBACK`] blocks), nor later: its own terms are offline, and so were the
	/// terms in force at each of those blocks.
	pub(crate) fn unseen_since_lookback(info: &ProviderInfoOf<T>, now: BlockNumberFor<T>) -> bool {
		if info.status == ProviderStatus::Online {
			return false;
		}
		let mut at = now.saturating_sub(DRAW_LOOKBACK.into());
		loop {
			if Self::view_of(info, at).1.online {
				return false;
			}
			if at >= now {
				return true;
			}
			at.saturating_inc();
		}
	}

	/// Call before changing anything a draw reads of `info` in block `now`, so that draws
	/// reading an earlier block still see it as it was (see [`crate::view`]).
	pub(crate) fn remember(info: &mut ProviderInfoOf<T>, now: BlockNumberFor<T>) {
		let seen = info.seen();
		view::remember(&mut info.history, seen, now);
	}

	/// Puts `who`'s own terms in force at once, as for a provider registered long before:
	/// genesis providers (nobody knew any randomness when the chain spec was written) and the
	/// benchmarks' registry.
	pub(crate) fn put_terms_in_force(who: &T::AccountId) {
		Providers::<T>::mutate(who, |info| {
			if let Some(info) = info {
				info.prior_terms = info.terms();
			}
		});
	}

	/// Call before changing anything [`Terms`] holds: what is in force now stays in force for
	/// the activation delay, and the change after it. A second change within the delay
	/// restarts it, so every terms that reach assignment were set at least the delay before.
	/// The kernel lists follow: a provider whose offline terms are now in force leaves them,
	/// and one still seen offline is seen until the new delay is over.
	pub(crate) fn begin_terms_change(
		who: &T::AccountId,
		info: &mut ProviderInfoOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		Self::remember(info, now);
		let before = Self::listing_of(info);
		info.prior_terms = Self::terms_in_force(info, now);
		info.terms_changed_at = now;
		Self::relist(who, &info.capabilities.kernels, before, Self::listing_of(info))
	}

	/// Moves `info` to `status` and keeps the kernel lists in step.
	pub(crate) fn change_status(
		who: &T::AccountId,
		info: &mut ProviderInfoOf<T>,
		status: ProviderStatus<BlockNumberFor<T>>,
	) -> DispatchResult {
		Self::begin_terms_change(who, info, frame_system::Pallet::<T>::block_number())?;
		let before = Self::listing_of(info);
		info.status = status;
		Self::relist(who, &info.capabilities.kernels, before, Self::listing_of(info))
	}

	/// Where `info` belongs in the lists of the kernels it lists: `None` for nowhere (no draw
	/// can see it), otherwise the [`Listing::until`] of its entries. An online provider is
	/// seen until it goes offline; an offline one whose online terms are in force, until its
	/// activation delay is over.
	pub(crate) fn listing_of(info: &ProviderInfoOf<T>) -> Option<Option<BlockNumberFor<T>>> {
		if info.status == ProviderStatus::Online {
			Some(None)
		} else if info.prior_terms.online {
			Some(Some(info.terms_changed_at.saturating_add(T::ActivationDelay::get())))
		} else {
			None
		}
	}

	/// Brings `who`'s entries in the lists of `kernels` from `before` to `after` (both from
	/// [`Self::listing_of`]). Writes nothing when they are equal. Leaving the lists closes
	/// the entries instead of removing them: a draw reading an earlier block may still see
	/// the provider.
	pub(crate) fn relist(
		who: &T::AccountId,
		kernels: &[KernelId],
		before: Option<Option<BlockNumberFor<T>>>,
		after: Option<Option<BlockNumberFor<T>>>,
	) -> DispatchResult {
		match after {
			_ if before == after => Ok(()),
			None => {
				Self::index_close(who, kernels);
				Ok(())
			}
			Some(until) => Self::index_put(who, kernels, until),
		}
	}
}
