//! `concord kernel adapters`.

use crate::cli::Output;
use concord_kernels::{list_adapters, AdapterChoice, Executor};
use serde_json::json;

pub fn run(output: Output) -> anyhow::Result<()> {
	let choice = AdapterChoice::from_env();
	let adapters = list_adapters(&choice)?;
	let chosen = Executor::new(choice).map(|executor| executor.adapter().to_string());
	let mut human: Vec<String> = adapters.iter().map(|adapter| adapter.to_string()).collect();
	if adapters.is_empty() {
		human.push(
			"no GPU adapter found (install mesa-vulkan-drivers for a software Vulkan device)"
				.into(),
		);
	}
	match &chosen {
		Ok(adapter) => human.push(format!("jobs run on: {adapter}")),
		Err(e) => human.push(format!("jobs cannot run: {e}")),
	}
	let value = json!({
		"adapters": adapters.iter().map(|adapter| adapter.to_string()).collect::<Vec<_>>(),
		"jobs_run_on": chosen.as_ref().ok(),
		"cannot_run": chosen.as_ref().err().map(|e| e.to_string()),
	});
	output.print(human.join("\n"), value);
	Ok(())
}
