//! Pure rules of the job market, with no storage, shared by the runtime (which enforces them)
//! and clients (which can check what the chain did):
//!
//! - [`verdict`]: which result hash, if any, a quorum of assignees revealed, and who agreed,
//!   deviated or did not show up;
//! - [`sampling`]: choosing `k` distinct providers at random, weighted, from a random seed.

pub mod sampling;
pub mod verdict;

#[cfg(test)]
mod tests;
