//! Nobody can move a draw whose seed it knows (issue 23, slice 2;
//! ../shared/reviews/SECURITY-REVIEW.md NH2). The author of the block before a draw knows the
//! seed; what it includes in that block (the last reveal of another job, a decline, a slash)
//! used to change the free slots, reputation and stake the draw read. The draw now reads the
//! registry as it stood `DRAW_DELAY` blocks before it, counts the slots taken since by jobs
//! drawn in between (fixed before the seed was known) and never those freed since, so those
//! toggles reach nothing.

use crate::{mock::*, types::Phase};
use concord_primitives::{kernel::KernelId, market::verdict};
use frame_support::{assert_noop, assert_ok};
use pallet_providers::ProviderRegistry;
use sp_runtime::Perbill;

const REWARD: Balance = 100;

/// What the author of the block before the draw may include there.
#[derive(Clone, Copy, Debug)]
enum Toggle {
	Nothing,
	/// The last reveal of another job: its verdict credits two assignees, slashes a deviant
	/// and frees three slots.
	LastReveal,
	/// An assignee of another job declines: it pays the fee and its slot is freed.
	Decline,
	/// A verdict elsewhere slashes a provider in the pool.
	Slash,
	All,
}

/// Job X is submitted while job Y waits for its last reveal (two of its three assignees
/// agree, the third deviated) and job Z is committing. After X's view block, another draw
/// takes the last free slot of Y's last revealer and of Z's decliner (as a job drawn in between
/// would), so both are full unless the toggle frees a slot. For each of 48 seeds, the block
/// before X's draw carries each toggle in turn; X's assignees are the same in every world.
#[test]
fn a_reveal_a_decline_and_a_slash_in_the_block_before_the_draw_leave_it_unchanged() {
	run_test(|| {
		let y = submit(BOB, 3, 2, REWARD);
		let z = submit(BOB, 3, 2, REWARD);
		run_to(System::block_number() + DRAW_DELAY);
		let (y_assignees, z_assignees) = (assignees(y), assignees(z));
		let [agree, last, deviant] = y_assignees[..] else { panic!("three assignees") };
		for (who, result) in [(agree, RESULT_A), (last, RESULT_A), (deviant, RESULT_B)] {
			assert_ok!(commit(who, y, result));
		}
		assert_ok!(reveal(agree, y, RESULT_A));
		assert_ok!(reveal(deviant, y, RESULT_B));
		let decliner = z_assignees[0];
		let bystander = *PROVIDERS
			.iter()
			.find(|p| !y_assignees.contains(p) && !z_assignees.contains(p))
			.expect("twelve providers, six busy");
		let x = submit(ALICE, 3, 2, REWARD);

		let toggle = |toggle: Toggle| {
			let (reveal_it, decline_it, slash_it) = match toggle {
				Toggle::Nothing => (false, false, false),
				Toggle::LastReveal => (true, false, false),
				Toggle::Decline => (false, true, false),
				Toggle::Slash => (false, false, true),
				Toggle::All => (true, true, true),
			};
			if reveal_it {
				assert_ok!(reveal(last, y, RESULT_A));
				assert_eq!(
					job(y).phase,
					Phase::Attested { result_hash: RESULT_A },
					"Y was settled"
				);
			}
			if decline_it {
				assert_ok!(Jobs::decline(RuntimeOrigin::signed(decliner), z));
			}
			if slash_it {
				let taken = Providers::slash(&bystander, Perbill::from_percent(10), None);
				assert_eq!(taken, STAKE / 10);
			}
		};
		let mut draws = std::collections::BTreeSet::new();
		for salt in 0..48u8 {
			let world = |t: Toggle| {
				and_undo(|| {
					RandomnessSalt::set(&salt);
					next_block();
					for who in [last, decliner] {
						// (Unless it is on both Y and Z, and full already.)
						if provider(who).active_jobs < 2 {
							let now = System::block_number();
							assert_ok!(Providers::begin_job(&who, KernelId::SortU32, now));
						}
					}
					toggle(t);
					next_block();
					assignees(x)
				})
			};
			let untouched = world(Toggle::Nothing);
			assert_eq!(untouched.len(), 3);
			for t in [Toggle::LastReveal, Toggle::Decline, Toggle::Slash, Toggle::All] {
				assert_eq!(world(t), untouched, "seed {salt}: {t:?} moved the draw");
			}
			draws.insert(untouched);
		}
		assert!(draws.len() > 8, "the seeds gave only {} different draws", draws.len());
	});
}

/// Whatever happens to a pick after the block the draw reads, short of its slots being taken
/// by jobs drawn in between, it is drawn as the view says: a slash that takes it under the
/// minimum in the block before the draw (its own offence, timed by whoever settles the job it
/// failed) does not move the draw. A pick whose slots were taken since is passed over for the
/// next of the same weighted order, read from the same job drawn for four replicas.
#[test]
fn only_slots_taken_since_the_view_pass_a_pick_over_for_the_next_of_the_same_order() {
	run_test(|| {
		for salt in 0..16u8 {
			let world = |replicas: u32, meddle: &dyn Fn()| {
				and_undo(|| {
					RandomnessSalt::set(&salt);
					let x = submit(ALICE, replicas, verdict::majority(replicas), REWARD);
					next_block();
					meddle();
					next_block();
					assignees(x)
				})
			};
			let order = world(4, &|| {});
			let three = world(3, &|| {});
			assert_eq!(three[..], order[..3]);
			let gone = three[1];
			let slashed = world(3, &|| {
				Providers::slash(&gone, Perbill::from_percent(95), None);
				assert!(!provider(gone).is_listed(), "under the minimum, out at once");
			});
			assert_eq!(slashed, three, "seed {salt}: a slash after the view moved the draw");
			let full = world(3, &|| {
				for _ in 0..2 {
					let now = System::block_number();
					assert_ok!(Providers::begin_job(&gone, KernelId::SortU32, now));
				}
				assert_noop!(
					Providers::begin_job(&gone, KernelId::SortU32, System::block_number()),
					pallet_providers::Error::<Test>::CannotTakeJob
				);
			});
			assert_eq!(full, vec![order[0], order[2], order[3]], "seed {salt}");
		}
	});
}

/// Four jobs of five replicas submitted together are drawn in two blocks (an agenda block
/// holds three), both reading the registry as it stood at their submission, when every
/// provider had two free slots. The fourth draw finds some of its picks full and passes over
/// them: it is assigned five providers that each still had a slot, and none is over its limit.
#[test]
fn picks_whose_slots_filled_since_the_view_are_passed_over() {
	run_test(|| {
		for requester in [ALICE, ALICE, BOB] {
			submit(requester, 5, 3, REWARD);
		}
		let fourth = submit(BOB, 5, 3, REWARD);
		run_to(2 + DRAW_DELAY);
		let assigned = assignees(fourth);
		assert_eq!(assigned.len(), 5);
		for who in PROVIDERS {
			assert!(provider(who).active_jobs <= 2, "{who} holds more jobs than slots");
		}
	});
}
