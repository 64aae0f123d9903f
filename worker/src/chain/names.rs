//! Names of the runtime's enums as the chain's metadata spells them (`jobs.RewardTooLow`, the
//! event `Registered`, the outcome `Agreed`), read from their type information, which the
//! metadata is built from; never cut out of `{:?}` text, whose shape is nobody's contract.

use codec::Encode;
use concord_runtime::RuntimeError;
use scale_info::{TypeDef, TypeInfo};
use sp_runtime::DispatchError;

/// A variant of an enum, by name, with its doc lines (empty when the build leaves docs out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
	pub name: &'static str,
	pub docs: Vec<&'static str>,
}

/// The variants along `value`'s encoding, outermost first: its own variant, then, while that
/// variant holds exactly one value and it is an enum, that value's variant, and so on. Empty
/// when `value` is not an enum.
pub fn variants<T: TypeInfo + Encode + 'static>(value: &T) -> Vec<Named> {
	let bytes = value.encode();
	let mut found = Vec::new();
	let mut ty = T::type_info();
	// An enum's encoding is its variant's index, one byte, then the variant's fields.
	for &index in &bytes {
		let TypeDef::Variant(def) = ty.type_def else { break };
		let Some(variant) = def.variants.into_iter().find(|v| v.index == index) else { break };
		found.push(Named { name: variant.name, docs: variant.docs });
		match variant.fields.as_slice() {
			[only] => ty = only.ty.type_info(),
			_ => break,
		}
	}
	found
}

/// `value`'s own variant name (`Registered`, `Agreed`, `Vulkan`); empty when it is no enum.
pub fn name<T: TypeInfo + Encode + 'static>(value: &T) -> &'static str {
	variants(value).first().map_or("", |variant| variant.name)
}

/// `value`'s variant name, followed by its doc lines where the build keeps them:
/// `InvalidQuorum`, or `InvalidQuorum (quorum is not a majority ...)`.
pub fn described<T: TypeInfo + Encode + 'static>(value: &T) -> String {
	match variants(value).into_iter().next() {
		Some(Named { name, docs }) if docs.is_empty() => name.to_string(),
		Some(Named { name, docs }) => format!("{name} ({})", docs.join(" ")),
		None => String::new(),
	}
}

/// Why the runtime refused a transaction: the metadata's section and name of its dispatch
/// error (`jobs` and `RewardTooLow`, `token` and `FundsUnavailable`; a section of its own for
/// errors without one, `BadOrigin`), and the error's doc lines joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
	pub section: String,
	pub name: String,
	pub docs: String,
	/// The block whose dispatch refused it; `None` for a refusal not read from a block.
	pub block: Option<super::Hash>,
}

impl Refusal {
	pub fn of(error: DispatchError) -> Self {
		// A module error is named by the runtime's enum of every pallet's errors, as the
		// metadata's pallets are; the others by `DispatchError` itself.
		let path = match RuntimeError::from_dispatch_error(error) {
			Some(runtime) => variants(&runtime),
			None => variants(&error),
		};
		if let (DispatchError::Module(module), [_]) = (error, path.as_slice()) {
			// A pallet's error this build does not know (a newer runtime's): its numbers.
			let name = format!("pallet {} error {}", module.index, module.error[0]);
			return Refusal { section: "module".into(), name, docs: String::new(), block: None };
		}
		// The section and its own variant: a variant's fields are no part of its name.
		let (section, named) = match path.as_slice() {
			[section, named, ..] => (lower_first(section.name), named.clone()),
			[only] => (String::new(), only.clone()),
			[] => (String::new(), Named { name: "Unknown", docs: Vec::new() }),
		};
		Refusal { section, name: named.name.to_string(), docs: named.docs.join(" "), block: None }
	}

	/// This refusal, as dispatched in block `block`.
	pub fn in_block(self, block: super::Hash) -> Self {
		Refusal { block: Some(block), ..self }
	}

	/// Whether this is the runtime's `error`, wherever it was refused.
	pub fn is(&self, error: DispatchError) -> bool {
		let named = Refusal::of(error);
		(&self.section, &self.name) == (&named.section, &named.name)
	}
}

impl std::fmt::Display for Refusal {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		if self.section.is_empty() {
			f.write_str(&self.name)?;
		} else {
			write!(f, "{}.{}", self.section, self.name)?;
		}
		if !self.docs.is_empty() {
			write!(f, " ({})", self.docs)?;
		}
		Ok(())
	}
}

impl std::error::Error for Refusal {}

/// `Jobs` as Polkadot.js Apps writes a section: `jobs`.
fn lower_first(name: &str) -> String {
	let mut chars = name.chars();
	chars.next().map_or_else(String::new, |first| first.to_lowercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
	use super::*;
	use concord_runtime::{Runtime, RuntimeEvent};
	use frame_support::traits::PalletInfo;
	use sp_runtime::{ArithmeticError, ModuleError, TokenError};

	fn named(error: DispatchError) -> (String, String) {
		let refusal = Refusal::of(error);
		(refusal.section, refusal.name)
	}

	#[test]
	fn dispatch_errors_are_named_as_the_metadata_names_them() {
		let pair = |section: &str, name: &str| (section.to_string(), name.to_string());
		let refused = || pallet_jobs::Error::<Runtime>::RewardTooLow.into();
		assert_eq!(named(refused()), pair("jobs", "RewardTooLow"));
		assert!(Refusal::of(refused()).to_string().starts_with("jobs.RewardTooLow ("));
		let refused = pallet_providers::Error::<Runtime>::StakeBelowMinimum;
		assert_eq!(named(refused.into()), pair("providers", "StakeBelowMinimum"));
		let unfunded = DispatchError::Token(TokenError::FundsUnavailable);
		assert_eq!(named(unfunded), pair("token", "FundsUnavailable"));
		let overflow = DispatchError::Arithmetic(ArithmeticError::Overflow);
		assert_eq!(named(overflow), pair("arithmetic", "Overflow"));
		assert_eq!(named(DispatchError::BadOrigin), pair("", "BadOrigin"));
		let unknown = ModuleError { index: 200, error: [3, 0, 0, 0], message: None };
		assert_eq!(named(DispatchError::Module(unknown)), pair("module", "pallet 200 error 3"));
		assert_eq!(Refusal::of(DispatchError::BadOrigin).to_string(), "BadOrigin");
	}

	/// Every error of both pallets, sent as the chain sends it (the pallet's index and the
	/// error's), is named by its pallet's name in the runtime and its variant's in the type
	/// information the metadata is built from.
	#[test]
	fn every_error_of_both_pallets_is_named() {
		fn check<P: 'static, E: TypeInfo + 'static>(section: &str) {
			let info = <Runtime as frame_system::Config>::PalletInfo::index::<P>();
			let index = info.expect("in the runtime") as u8;
			let TypeDef::Variant(errors) = E::type_info().type_def else { panic!("an enum") };
			assert!(errors.variants.len() > 5, "{section} has its errors");
			for variant in errors.variants {
				let error = [variant.index, 0, 0, 0];
				let sent = DispatchError::Module(ModuleError { index, error, message: None });
				assert_eq!(named(sent), (section.to_string(), variant.name.to_string()));
			}
		}
		check::<pallet_jobs::Pallet<Runtime>, pallet_jobs::Error<Runtime>>("jobs");
		check::<pallet_providers::Pallet<Runtime>, pallet_providers::Error<Runtime>>("providers");
	}

	#[test]
	fn events_and_plain_enums_are_named_by_their_variants() {
		let gone = pallet_providers::Event::<Runtime>::WentOffline {
			provider: [7u8; 32].into(),
			reason: pallet_providers::OfflineReason::Requested,
		};
		let outer = RuntimeEvent::Providers(gone.clone());
		let path: Vec<_> = variants(&outer).into_iter().map(|v| v.name).collect();
		assert_eq!(path, ["Providers", "WentOffline"]);
		assert_eq!(name(&gone), "WentOffline");
		assert_eq!(name(&pallet_providers::JobOutcome::NoShow), "NoShow");
		assert_eq!(name(&pallet_providers::GpuBackend::Vulkan), "Vulkan");
		assert_eq!(name(&42u32), "", "no enum, no name");
		let quorum = pallet_jobs::QuoteError::InvalidQuorum;
		assert!(described(&quorum).starts_with("InvalidQuorum"), "{}", described(&quorum));
	}
}
