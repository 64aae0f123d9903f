//! The Concord worker as a library: the chain client, the provider daemon and the requester's
//! operations. The `concord` binary is a thin command line over it, and tests drive it directly.

pub mod blobs;
pub mod chain;
pub mod data;
pub mod provider;
pub mod report;
pub mod requester;
