//! Folding a one-dimensional launch into a 2D grid of workgroups that respects
//! `max_compute_workgroups_per_dimension`. Shaders rebuild the index as
//! `(wid.y * groups.x + wid.x) * WG + local_index` and skip indices past the end.

use crate::KernelError;
use concord_primitives::kernel::KernelId;

/// `(x, y)` workgroup counts covering `invocations` with `workgroup_size`-wide groups.
pub(super) fn fold(
	kernel: KernelId,
	invocations: u64,
	workgroup_size: u32,
	max_per_dimension: u32,
) -> Result<(u32, u32), KernelError> {
	let groups = invocations.div_ceil(u64::from(workgroup_size)).max(1);
	let max = u64::from(max_per_dimension.max(1));
	let x = groups.min(max);
	let y = groups.div_ceil(x);
	if y > max {
		return Err(KernelError::ExceedsDeviceLimits {
			kernel,
			what: "workgroup grid",
			needed: groups,
			limit: max * max,
		});
	}
	Ok((x as u32, y as u32))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn small_launches_stay_one_dimensional() {
		assert_eq!(fold(KernelId::SortU32, 1, 64, 65535).unwrap(), (1, 1));
		assert_eq!(fold(KernelId::SortU32, 65, 64, 65535).unwrap(), (2, 1));
	}

	#[test]
	fn large_launches_fold_and_cover_everything() {
		let (x, y) = fold(KernelId::SortU32, 1 << 24, 64, 65535).unwrap();
		assert_eq!((x, y), (65535, 5));
		assert!(u64::from(x) * u64::from(y) * 64 >= 1 << 24);
		assert!(fold(KernelId::SortU32, 1 << 40, 1, 1000).is_err());
	}
}
