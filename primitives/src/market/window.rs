//! How long assignees must be given to commit: long enough for the slowest device the network
//! accepts to finish the work, so that a requester cannot choose a window in which honest
//! providers are bound to miss their commit (and a precomputed answer wins).
//!
//! `min_commit_window = base + ceil(work_units / (reference_rate(kernel) * block_time))`
//! (plus [`transfer_blocks`] for a remote input), and
//! `reference_rate` is the slowest accepted device's rate on the kernel's worst case
//! ([`slowest_rate`], measured on [`reference_params`]) divided by [`JOBS_AT_ONCE`] and by
//! [`SLACK`]: a provider on that device can hold that many jobs at once, each at its shortest
//! window, run them one after another on its one device and still commit every one in time
//! (NM4). `base` is the runtime's shortest window, which covers setting up the device and
//! getting the commit into a block. Integer only.
//!
//! And how long they may be given, at most: [`COMMIT_WINDOW_FACTOR`] times that, since every
//! block of the window holds the slots of the assignees that committed early while one that
//! colludes with the requester waits for its last block (NM3).

use crate::kernel::KernelId;

/// How many jobs at their shortest windows the slowest accepted device can hold at once and
/// finish each in time. A provider that lists more slots than its device can serve declines
/// what it cannot finish (the worker checks before it starts).
pub const JOBS_AT_ONCE: u64 = 4;

/// A further margin for a loaded machine and for measurement noise.
pub const SLACK: u64 = 2;

/// The params each kernel's rate is measured on: the kernel's worst case per work unit that a
/// device can run in well under a second, where the rate depends on the data. Mandelbrot's
/// view lies inside the main cardioid, so every point runs `max_iter` (on the full view most
/// points escape early and the rate looked four times higher). The other kernels do the same
/// work whatever their input; sort-u32's rate falls a little as `n` grows, which
/// [`slowest_rate`] allows for.
pub const fn reference_params(kernel: KernelId) -> &'static [u32] {
	match kernel {
		KernelId::MatmulI8 => &[512, 512, 512],
		KernelId::MlpI8 => &[512, 3, 512, 512, 512, 10],
		KernelId::MandelbrotQ12 => &[512, 512, 1024, (-1536i32) as u32, (-512i32) as u32, 1],
		KernelId::Stencil2dI32 => &[1024, 1024, 16],
		KernelId::SortU32 => &[1 << 18],
		KernelId::Sha256Batch => &[256, 1 << 16],
	}
}

/// Work units per second of the slowest device the network accepts on `kernel`'s worst case:
/// the lower of Mesa's lavapipe on two CPU cores and the single-threaded CPU reference
/// (`concord worker run --cpu`), measured with `concord kernel bench --size reference`
/// (docs/KERNELS-IMPL.md), rounded down.
pub const fn slowest_rate(kernel: KernelId) -> u64 {
	match kernel {
		// lavapipe: 3.3e8, 3.3e8.
		KernelId::MatmulI8 => 250_000_000,
		KernelId::MlpI8 => 250_000_000,
		// The CPU reference, slower than lavapipe on this view: 4.0e8 against 1.35e9.
		KernelId::MandelbrotQ12 => 320_000_000,
		// lavapipe: 3.9e7.
		KernelId::Stencil2dI32 => 32_000_000,
		// lavapipe: 1.17e7 at 2^18 elements, 1.13e7 at 2^20. A bitonic sort makes log n
		// passes per work unit, so at the 2^24 a job may sort it falls to about 18/24 of that.
		KernelId::SortU32 => 7_000_000,
		// lavapipe: 2.4e6.
		KernelId::Sha256Batch => 2_000_000,
	}
}

/// Work units per second that a job's shortest window is sized for: the slowest accepted
/// device's rate shared by [`JOBS_AT_ONCE`] jobs, with [`SLACK`].
pub const fn reference_rate(kernel: KernelId) -> u64 {
	slowest_rate(kernel) / (JOBS_AT_ONCE * SLACK)
}

/// The shortest commit window, in blocks of `block_millis`, for a job of `work_units` on
/// `kernel`: `base` plus the blocks the reference rate needs, rounded up. Saturates at
/// `u32::MAX` (a window no runtime allows).
pub fn min_commit_window(kernel: KernelId, work_units: u64, block_millis: u64, base: u32) -> u32 {
	let per_block = u128::from(reference_rate(kernel)) * u128::from(block_millis.max(1));
	let needed = (u128::from(work_units) * 1000).div_ceil(per_block);
	u32::try_from(needed).unwrap_or(u32::MAX).saturating_add(base)
}

/// Bytes per second a remote input is assumed to arrive at, per job: a 64 Mbit/s link (8 MiB/s)
/// shared by the [`JOBS_AT_ONCE`] jobs a provider may hold. Conservative on purpose: a window
/// too short for the transfer turns an honest provider's fetch into a decline, and one too
/// long only holds slots a little longer (bounded by `MaxWindow`).
pub const REFERENCE_TRANSFER_RATE: u64 = 8 * 1024 * 1024 / JOBS_AT_ONCE;

/// The blocks of `block_millis` a provider is given to fetch a remote input of `bytes` at the
/// [`REFERENCE_TRANSFER_RATE`], rounded up: what a remote input adds to its job's shortest
/// commit window (0 for an inline input). Saturates at `u32::MAX`.
pub fn transfer_blocks(bytes: u64, block_millis: u64) -> u32 {
	let per_block = u128::from(REFERENCE_TRANSFER_RATE) * u128::from(block_millis.max(1));
	let needed = (u128::from(bytes) * 1000).div_ceil(per_block);
	u32::try_from(needed).unwrap_or(u32::MAX)
}

/// Blocks a worker keeps at the end of a commit window for its commit to be signed and
/// included: it plans to have every job computed this many blocks before the window closes.
pub const COMMIT_MARGIN_BLOCKS: u32 = 2;

/// What a worker allows each job besides the kernel itself: reading its input from the node,
/// hashing, writing the result and journaling the salt.
pub const PER_JOB_MILLIS: u64 = 1_000;

/// The least `base` (the runtime's shortest window) in blocks of `block_millis` that leaves a
/// worker holding [`JOBS_AT_ONCE`] jobs its [`COMMIT_MARGIN_BLOCKS`] and each job's
/// [`PER_JOB_MILLIS`]: the work itself has the rest of [`min_commit_window`]. A runtime whose
/// shortest window is below this would make honest workers decline small jobs they could do.
pub const fn least_base_window(block_millis: u64) -> u32 {
	let overheads =
		(JOBS_AT_ONCE * PER_JOB_MILLIS).div_ceil(if block_millis == 0 { 1 } else { block_millis });
	COMMIT_MARGIN_BLOCKS + overheads as u32
}

/// How many times its shortest window a job's commit window may last: room for a slow device
/// that runs several jobs at once, not for holding honest assignees' slots for an hour.
pub const COMMIT_WINDOW_FACTOR: u32 = 10;

/// The longest commit window for a job whose shortest is `min_window` blocks (the runtime's
/// `MaxWindow` caps it further). Saturates.
pub fn max_commit_window(min_window: u32) -> u32 {
	min_window.saturating_mul(COMMIT_WINDOW_FACTOR)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_remote_input_adds_its_transfer_at_the_reference_rate_rounded_up() {
		const MIB: u64 = 1024 * 1024;
		assert_eq!(transfer_blocks(0, 6_000), 0, "an inline input adds nothing");
		assert_eq!(transfer_blocks(1, 6_000), 1, "any byte takes a block");
		// 2 MiB/s for one job: 12 MiB in a 6 s block, 4 GiB in 342 blocks.
		assert_eq!(transfer_blocks(12 * MIB, 6_000), 1);
		assert_eq!(transfer_blocks(12 * MIB + 1, 6_000), 2);
		assert_eq!(transfer_blocks(4 << 30, 6_000), 342);
		assert_eq!(transfer_blocks(u64::MAX, 0), u32::MAX, "saturates, never divides by zero");
		let mut last = 0;
		for bytes in (0..=64 * MIB).step_by(MIB as usize / 3) {
			let blocks = transfer_blocks(bytes, 3_000);
			assert!(blocks >= last, "more bytes never shorten the window");
			last = blocks;
		}
	}

	#[test]
	fn the_least_base_window_holds_the_margin_and_every_jobs_overhead() {
		// Two blocks of margin, and four jobs' second each, rounded up to whole blocks.
		assert_eq!(least_base_window(3_000), 2 + 2);
		assert_eq!(least_base_window(6_000), 2 + 1);
		assert_eq!(least_base_window(1_000), 2 + 4);
		assert_eq!(least_base_window(0), 2 + 4_000, "no block time: no division by zero");
	}
}
