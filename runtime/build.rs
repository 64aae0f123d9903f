//! Compiles the runtime to WebAssembly (the form the node executes and the chain stores), and
//! a second time as its own next version (feature `upgrade-rehearsal`), which the runtime
//! upgrade test installs on a running chain. The two builds share one wasm project and target
//! directory, so the second compiles only this crate again.
// The token's symbol and decimals, the ones the runtime's `units` gives.
#[allow(dead_code)]
#[path = "src/token.rs"]
mod token;

fn main() {
	// The genesis presets include the dev providers' list; the wasm builder reruns only for
	// changes to `.rs` and `.toml` files.
	println!("cargo:rerun-if-changed=dev-providers.txt");

	#[cfg(all(feature = "std", feature = "metadata-hash"))]
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(token::TOKEN_SYMBOL, token::TOKEN_DECIMALS)
		.build();

	#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();

	#[cfg(feature = "std")]
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("upgrade-rehearsal")
		.set_file_name("upgrade_rehearsal.rs")
		.build();
}
