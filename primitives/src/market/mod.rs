//! Pure rules of the job market, with no storage, shared by the runtime (which enforces them)
//! and clients (which can check what the chain did):
//!
//! - [`verdict`]: which result hash, if any, a quorum of assignees revealed, and who agreed,
//!   deviated or did not show up;
//! - [`panel`]: the panel an escalation draws, never weaker than the round it judges;
//! - [`admission`]: which providers a job may be drawn from (a pool holding half the live
//!   weight, and half of it beyond the heaviest), and the chance that a coalition captures a
//!   quorum of its seats;
//! - [`sampling`]: choosing `k` distinct providers at random, weighted, from a random seed;
//! - [`weight`]: what a provider weighs in that draw (stake and track record);
//! - [`commitment`]: the hash an assignee commits to before revealing its result;
//! - [`window`]: the shortest commit window that fits a job's work.

pub mod admission;
pub mod commitment;
pub mod panel;
pub mod sampling;
pub mod verdict;
pub mod weight;
pub mod window;

#[cfg(test)]
mod tests;
