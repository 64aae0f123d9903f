//! Placeholder weights for `pallet_jobs`, replaced by `scripts/weights.sh`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_jobs`.
pub trait WeightInfo {
	fn submit(b: u32, ) -> Weight;
	fn cancel() -> Weight;
	fn commit() -> Weight;
	fn reveal(n: u32, ) -> Weight;
	fn process_assignment() -> Weight;
	fn process_verdict(n: u32, ) -> Weight;
	fn prune_job() -> Weight;
}

/// Weights for `pallet_jobs` measured on the reference machine, with the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit(b: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 20_000).saturating_add(Weight::from_parts(1_000, 1).saturating_mul(b.into()))
			.saturating_add(T::DbWeight::get().reads_writes(20, 10))
	}
	fn cancel() -> Weight {
		Weight::from_parts(100_000_000, 20_000).saturating_add(T::DbWeight::get().reads_writes(10, 10))
	}
	fn commit() -> Weight {
		Weight::from_parts(100_000_000, 20_000).saturating_add(T::DbWeight::get().reads_writes(20, 10))
	}
	fn reveal(n: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 20_000).saturating_add(Weight::from_parts(50_000_000, 10_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(20, 10)).saturating_add(T::DbWeight::get().reads_writes(6, 6).saturating_mul(n.into()))
	}
	fn process_assignment() -> Weight {
		Weight::from_parts(500_000_000, 500_000).saturating_add(T::DbWeight::get().reads_writes(1100, 30))
	}
	fn process_verdict(n: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 20_000).saturating_add(Weight::from_parts(50_000_000, 10_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(20, 10)).saturating_add(T::DbWeight::get().reads_writes(6, 6).saturating_mul(n.into()))
	}
	fn prune_job() -> Weight {
		Weight::from_parts(20_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
}

impl WeightInfo for () {
	fn submit(_b: u32, ) -> Weight { Weight::from_parts(1, 0) }
	fn cancel() -> Weight { Weight::from_parts(1, 0) }
	fn commit() -> Weight { Weight::from_parts(1, 0) }
	fn reveal(_n: u32, ) -> Weight { Weight::from_parts(1, 0) }
	fn process_assignment() -> Weight { Weight::from_parts(1, 0) }
	fn process_verdict(_n: u32, ) -> Weight { Weight::from_parts(1, 0) }
	fn prune_job() -> Weight { Weight::from_parts(1, 0) }
}
