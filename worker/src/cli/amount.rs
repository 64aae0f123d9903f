//! Balances on the command line: in the smallest unit (`1500`), or in whole tokens with a
//! `CORD` suffix (`200CORD`, `0.5CORD`).

use concord_runtime::{
	units::{TOKEN_DECIMALS, TOKEN_SYMBOL, UNIT},
	Balance,
};

pub fn amount(text: &str) -> Result<Balance, String> {
	let text = text.trim();
	let bad = || format!("{text:?} is not an amount (e.g. 1500 or 200CORD)");
	// Digits only: Rust's own parse would also take a leading `+`.
	let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
	let Some(tokens) = text.strip_suffix(TOKEN_SYMBOL) else {
		return if digits(text) { text.parse::<Balance>().map_err(|_| bad()) } else { Err(bad()) };
	};
	let decimals = usize::from(TOKEN_DECIMALS);
	let (whole, fraction) = match tokens.trim().split_once('.') {
		Some((whole, fraction)) if digits(fraction) => (whole, fraction),
		Some(_) => return Err(bad()),
		None => (tokens.trim(), ""),
	};
	if !digits(whole) || fraction.len() > decimals {
		return Err(bad());
	}
	let whole = whole.parse::<Balance>().map_err(|_| bad())?;
	let fraction = format!("{fraction:0<decimals$}").parse::<Balance>().map_err(|_| bad())?;
	whole.checked_mul(UNIT).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The dashboard reads and writes amounts too (`ui/src/amount.ts`); both read these
	/// vectors, so neither can change the rule alone.
	#[test]
	fn amounts_match_the_vectors_the_dashboard_reads() {
		let vectors: serde_json::Value =
			serde_json::from_str(include_str!("../../../tests/vectors/amounts.json")).unwrap();
		assert_eq!(vectors["symbol"], TOKEN_SYMBOL);
		assert_eq!(vectors["decimals"], TOKEN_DECIMALS);
		let parse = vectors["parse"].as_array().unwrap();
		assert!(parse.iter().any(|c| c["units"].is_null()) && parse.len() > 10);
		for case in parse {
			let text = case["text"].as_str().unwrap();
			let expected = case["units"].as_str().map(|units| units.parse::<Balance>().unwrap());
			assert_eq!(amount(text).ok(), expected, "{text:?}");
		}
		for case in vectors["format"].as_array().unwrap() {
			let units = case["units"].as_str().unwrap().parse::<Balance>().unwrap();
			let text = case["text"].as_str().unwrap();
			assert_eq!(concord_worker::report::cord(units), text);
			// What it writes, it reads back.
			assert_eq!(amount(&text.replace(' ', "")), Ok(units), "{text}");
		}
	}

	#[test]
	fn amounts_in_units_and_in_cord() {
		assert_eq!(amount("1500"), Ok(1500));
		assert_eq!(amount("200CORD"), Ok(200 * UNIT));
		assert_eq!(amount("0.5CORD"), Ok(UNIT / 2));
		assert_eq!(amount("1.000000000001CORD"), Ok(UNIT + 1));
		for bad in ["", "CORD", "1.0000000000001CORD", "-1", "1.5", "x CORD", ".5CORD", "1.-5CORD"]
		{
			assert!(amount(bad).is_err(), "{bad:?}");
		}
	}
}
