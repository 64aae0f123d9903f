//! Storage migrations, one module per version step.

/// Version 2 to 3: each job's spec holds the panel that judges it when a round has no
/// quorum.
pub mod v3 {
	use crate::{pallet::*, types::*};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use concord_primitives::market::panel::Panel;
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::Saturating;

	/// A job's spec as version 2 stored it.
	#[derive(Encode, Decode)]
	pub struct OldJobSpec<T: Config> {
		pub kernel: concord_primitives::kernel::KernelId,
		pub params: Params,
		pub input: InputRef<T::MaxSourceLen>,
		pub work_units: u64,
		pub replicas: u32,
		pub quorum: u32,
		pub reward: BalanceOf<T>,
		pub commit_window: BlockNumberFor<T>,
		pub reveal_window: BlockNumberFor<T>,
	}

	/// A job's record as version 2 stored it.
	#[derive(Encode, Decode)]
	pub struct OldJobInfo<T: Config> {
		pub requester: T::AccountId,
		pub spec: OldJobSpec<T>,
		pub phase: PhaseOf<T>,
		pub round: u8,
		pub assignees: BoundedVec<Assignment<T::AccountId>, T::MaxAssignees>,
		pub escrow: BalanceOf<T>,
		pub deposit: BalanceOf<T>,
		pub paid: BalanceOf<T>,
		pub unassigned: Option<NoAssignmentOf<T>>,
		pub submitted_at: BlockNumberFor<T>,
		pub ended_at: Option<BlockNumberFor<T>>,
	}

	impl<T: Config> OldJobInfo<T> {
		/// The record with the panel version 2 drew and held escrow for: `EscalationReplicas`
		/// seats decided by their majority. A job submitted before the upgrade keeps it, so
		/// that its escrow still pays every escalation it may need.
		pub fn migrate(self) -> JobInfoOf<T> {
			let seats = T::EscalationReplicas::get();
			let spec = self.spec;
			JobInfoOf::<T> {
				requester: self.requester,
				spec: JobSpec {
					kernel: spec.kernel,
					params: spec.params,
					input: spec.input,
					work_units: spec.work_units,
					replicas: spec.replicas,
					quorum: spec.quorum,
					panel: Panel {
						seats,
						quorum: concord_primitives::market::verdict::majority(seats),
					},
					reward: spec.reward,
					commit_window: spec.commit_window,
					reveal_window: spec.reveal_window,
				},
				phase: self.phase,
				round: self.round,
				assignees: self.assignees,
				escrow: self.escrow,
				deposit: self.deposit,
				paid: self.paid,
				unassigned: self.unassigned,
				submitted_at: self.submitted_at,
				ended_at: self.ended_at,
			}
		}
	}

	/// Rewrites every job record, open or ended, with the panel it was submitted under.
	pub struct AddPanelToSpec<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddPanelToSpec<T> {
		fn on_runtime_upgrade() -> Weight {
			// One read and one write per job record.
			let mut records = 0u64;
			Jobs::<T>::translate::<OldJobInfo<T>, _>(|_id, old| {
				records.saturating_inc();
				Some(old.migrate())
			});
			T::DbWeight::get().reads_writes(records, records)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Jobs::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..]).map_err(|_| "bad pre_upgrade state")?;
			ensure!(
				Jobs::<T>::iter_values().count() as u64 == before,
				"a job record was lost or did not decode"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// [`AddPanelToSpec`], run only on a chain at storage version 2, which it moves to 3.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		AddPanelToSpec<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 3 to 4: [`QueuedJobs`](crate::pallet::QueuedJobs) counts the jobs of each kernel
/// waiting for providers.
pub mod v4 {
	use crate::{pallet::*, types::*};
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use sp_runtime::Saturating;

	/// Counts the queued jobs of each kernel, reading every open job once (at most
	/// `MaxOpenJobs`).
	pub struct CountQueuedJobs<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for CountQueuedJobs<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);
			for id in OpenJobs::<T>::iter_keys() {
				reads.saturating_accrue(2);
				let Some(job) = Jobs::<T>::get(id) else { continue };
				if matches!(job.phase, Phase::Queued { .. }) {
					QueuedJobs::<T>::mutate(job.spec.kernel, |queued| queued.saturating_inc());
					reads.saturating_inc();
					writes.saturating_inc();
				}
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			ensure!(QueuedJobs::<T>::iter().next().is_none(), "queued jobs counted already");
			Ok(Vec::new())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
		}
	}

	/// [`CountQueuedJobs`], run only on a chain at storage version 3, which it moves to 4.
	pub type MigrateV3ToV4<T> = VersionedMigration<
		3,
		4,
		CountQueuedJobs<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 4 to 5: an escalation gives the ended round's slots back
/// ([`pallet_providers::ProviderRegistry::free_slot`]). Jobs that escalated before the upgrade
/// still hold their earlier rounds' slots; this gives them back, so that settling those
/// assignees later (as holders of freed slots) leaves every count right. Runs after the
/// provider registry's step to its version 5, which added the count this moves slots to.
pub mod v5 {
	use crate::pallet::*;
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use pallet_providers::ProviderRegistry;
	use sp_runtime::Saturating;

	/// Gives back the slots of the unsettled earlier-round assignees of every open job,
	/// reading every open job once (at most `MaxOpenJobs`) and writing at most
	/// `MaxAssignees` provider records for each.
	pub struct FreeEarlierRounds<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for FreeEarlierRounds<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);
			for id in OpenJobs::<T>::iter_keys() {
				reads.saturating_accrue(2);
				let Some(job) = Jobs::<T>::get(id) else { continue };
				for provider in Pallet::<T>::awaiting_verdict(&job) {
					T::Providers::free_slot(provider);
					reads.saturating_inc();
					writes.saturating_inc();
				}
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
		}
	}

	/// [`FreeEarlierRounds`], run only on a chain at storage version 4, which it moves to 5.
	pub type MigrateV4ToV5<T> = VersionedMigration<
		4,
		5,
		FreeEarlierRounds<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
