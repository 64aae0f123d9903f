//! `concord kernel adapters`.

use concord_kernels::{list_adapters, AdapterChoice, Executor};

pub fn run() -> anyhow::Result<()> {
	let choice = AdapterChoice::from_env();
	let adapters = list_adapters(&choice)?;
	if adapters.is_empty() {
		println!("no GPU adapter found (install mesa-vulkan-drivers for a software Vulkan device)");
		return Ok(());
	}
	for adapter in &adapters {
		println!("{adapter}");
	}
	match Executor::new(choice) {
		Ok(executor) => println!("jobs run on: {}", executor.adapter()),
		Err(e) => println!("jobs cannot run: {e}"),
	}
	Ok(())
}
