//! How long assignees must be given to commit: long enough for the slowest device the network
//! accepts to finish the work, so that a requester cannot choose a window in which honest
//! providers are bound to miss their commit (and a precomputed answer wins).
//!
//! `min_commit_window = base + ceil(work_units / (reference_rate(kernel) * block_time))`, with
//! `reference_rate` a quarter of what Mesa's lavapipe sustained on two CPU cores (the slowest
//! device in CI, docs/KERNELS-IMPL.md) and `base` the runtime's shortest window, which covers
//! setting up the device and getting the commit into a block. Integer only.
//!
//! And how long they may be given, at most: [`COMMIT_WINDOW_FACTOR`] times that, since every
//! block of the window holds the slots of the assignees that committed early while one that
//! colludes with the requester waits for its last block (NM3).

use crate::kernel::KernelId;

/// Work units per second that the slowest supported device sustains on `kernel`, with a
/// four-fold margin below what lavapipe measured on two cores.
pub const fn reference_rate(kernel: KernelId) -> u64 {
	match kernel {
		KernelId::MatmulI8 => 200_000_000,
		KernelId::MlpI8 => 200_000_000,
		KernelId::MandelbrotQ12 => 1_000_000_000,
		KernelId::Stencil2dI32 => 25_000_000,
		KernelId::SortU32 => 5_000_000,
		KernelId::Sha256Batch => 1_000_000,
	}
}

/// The shortest commit window, in blocks of `block_millis`, for a job of `work_units` on
/// `kernel`: `base` plus the blocks the reference device needs, rounded up. Saturates at
/// `u32::MAX` (a window no runtime allows).
pub fn min_commit_window(kernel: KernelId, work_units: u64, block_millis: u64, base: u32) -> u32 {
	let per_block = u128::from(reference_rate(kernel)) * u128::from(block_millis.max(1));
	let needed = (u128::from(work_units) * 1000).div_ceil(per_block);
	u32::try_from(needed).unwrap_or(u32::MAX).saturating_add(base)
}

/// How many times its shortest window a job's commit window may last: room for a slow device
/// that runs several jobs at once, not for holding honest assignees' slots for an hour.
pub const COMMIT_WINDOW_FACTOR: u32 = 10;

/// The longest commit window for a job whose shortest is `min_window` blocks (the runtime's
/// `MaxWindow` caps it further). Saturates.
pub fn max_commit_window(min_window: u32) -> u32 {
	min_window.saturating_mul(COMMIT_WINDOW_FACTOR)
}
