//! Mock-runtime tests of every path of a job. Each runs through [`run_test`], which checks the
//! invariants of both pallets and the total issuance afterwards.

mod admission;
mod adversaries;
mod coalition;
mod draw_view;
mod escalations;
mod lifecycle;
mod refusals;
mod remote_inputs;
mod replacements;
mod scheduling;
mod sequences;
mod waiting;
mod whole_job;
