//! The k-of-n verdict: a result hash revealed by at least `quorum` assignees is attested.

extern crate alloc;
use alloc::vec::Vec;

/// Whether `quorum` of `replicas` is a majority: more than half, so that two different hashes
/// can never both reach it. A job's quorum must be one.
pub const fn is_majority(quorum: u32, replicas: u32) -> bool {
	quorum as u64 * 2 > replicas as u64
}

/// The least majority of `replicas` (the default quorum, and a panel's least).
pub const fn majority(replicas: u32) -> u32 {
	replicas / 2 + 1
}

/// What one assignee did by the end of the reveal window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reveal<H> {
	/// Committed and revealed this result hash (the reveal matched the commitment).
	Revealed(H),
	/// Committed but never revealed.
	CommittedOnly,
	/// Never committed.
	Absent,
}

/// The outcome of a round of reveals. Indices refer to the assignees' positions in the slice
/// given to [`tally`]; each list is in ascending order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<H> {
	/// `hash` was revealed by at least `quorum` assignees (`agreeing`). `deviating` revealed
	/// another hash; `no_shows` committed without revealing, or never committed.
	Attested { hash: H, agreeing: Vec<u32>, deviating: Vec<u32>, no_shows: Vec<u32> },
	/// No hash was revealed by `quorum` assignees. `revealed` did reveal (some hash), so they are
	/// not to blame for the missing quorum as no-shows are.
	NoQuorum { revealed: Vec<u32>, no_shows: Vec<u32> },
}

/// Counts the reveals. A hash is attested when at least `quorum` assignees revealed it and no
/// other hash also reached `quorum` (which a quorum above half the assignees rules out; with a
/// lower quorum two hashes could tie, and then nothing is attested). A `quorum` of zero attests
/// nothing.
///
/// Runs in `O(n²)` comparisons of hashes for `n` assignees: callers bound `n`.
pub fn tally<H: Copy + Eq>(reveals: &[Reveal<H>], quorum: u32) -> Verdict<H> {
	let no_shows = indices(reveals, |reveal| !matches!(reveal, Reveal::Revealed(_)));

	let mut winner: Option<H> = None;
	let mut winners = 0u32;
	for (i, reveal) in reveals.iter().enumerate() {
		let Reveal::Revealed(hash) = reveal else { continue };
		// Count each distinct hash once, at its first occurrence.
		let first = !reveals[..i].contains(&Reveal::Revealed(*hash));
		if !first {
			continue;
		}
		let count = reveals.iter().filter(|other| **other == Reveal::Revealed(*hash)).count();
		if quorum > 0 && count >= quorum as usize {
			winner = Some(*hash);
			winners = winners.saturating_add(1);
		}
	}

	match winner {
		Some(hash) if winners == 1 => Verdict::Attested {
			hash,
			agreeing: indices(reveals, |reveal| *reveal == Reveal::Revealed(hash)),
			deviating: indices(
				reveals,
				|reveal| matches!(reveal, Reveal::Revealed(other) if *other != hash),
			),
			no_shows,
		},
		_ => Verdict::NoQuorum {
			revealed: indices(reveals, |reveal| matches!(reveal, Reveal::Revealed(_))),
			no_shows,
		},
	}
}

/// Whether a hash other than `attested` was revealed by more assignees than `attested`
/// among `revealed` (every round's reveals). A panel's verdict judges the earlier rounds, but
/// never against more votes than it had itself: such a job is contested, and nobody is
/// slashed. Within one round this never happens (an attested hash holds a majority of its
/// round); it takes rounds whose majorities disagree.
///
/// Runs in `O(n²)` comparisons of hashes for `n` reveals: callers bound `n`.
pub fn outvoted<H: Copy + Eq>(revealed: &[H], attested: H) -> bool {
	let votes = |hash: H| revealed.iter().filter(|other| **other == hash).count();
	let attested_votes = votes(attested);
	revealed.iter().any(|hash| *hash != attested && votes(*hash) > attested_votes)
}

fn indices<H>(reveals: &[Reveal<H>], pick: impl Fn(&Reveal<H>) -> bool) -> Vec<u32> {
	reveals.iter().enumerate().filter(|(_, reveal)| pick(reveal)).map(|(i, _)| i as u32).collect()
}
