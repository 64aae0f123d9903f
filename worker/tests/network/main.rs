//! End to end on real parts: `concord-node` processes, provider workers computing on wgpu
//! (lavapipe in CI), and requesters using `concord job`. Progress is followed block by block
//! over the nodes' RPC, never by sleeping.
//!
//! One test binary, so that the workspace links one more executable rather than one per file.

mod blob;
mod cli;
mod common;
mod dashboard;
mod escalation;
mod faults;
mod jobs;
mod local_network;
mod market;
mod model;
mod outputs;
mod remote_input;
mod reorg;
mod upgrade;
mod workloads;
