//! `concord model ...`: trained models served as mlp-i8 jobs. `digits` is the handwritten-digits
//! classifier trained in this repository (docs/MODELS.md); any other model is a file in the
//! documented format.

mod run;
mod train;

use super::Output;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ModelCommand {
	/// Train a model shipped with concord from its data, bit for bit the same on every machine,
	/// and say how it scores and whether it is the committed one.
	Train(train::TrainArgs),
	/// Classify samples with a model: pack them with its weights into an mlp-i8 workload, run
	/// it, and print each sample's class (and the accuracy, given labels).
	Run(Box<run::RunArgs>),
}

impl ModelCommand {
	pub fn run(self, output: Output) -> anyhow::Result<()> {
		match self {
			ModelCommand::Train(args) => train::run(args, output),
			ModelCommand::Run(args) => run::run(*args, output),
		}
	}
}
