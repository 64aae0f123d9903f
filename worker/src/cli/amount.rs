//! Balances on the command line: in the smallest unit (`1500`), or in whole tokens with a
//! `CORD` suffix (`200CORD`, `0.5CORD`).

use concord_runtime::{
	units::{TOKEN_DECIMALS, TOKEN_SYMBOL, UNIT},
	Balance,
};

pub fn amount(text: &str) -> Result<Balance, String> {
	let text = text.trim();
	let bad = || format!("{text:?} is not an amount (e.g. 1500 or 200CORD)");
	let Some(tokens) = text.strip_suffix(TOKEN_SYMBOL) else {
		return text.parse::<Balance>().map_err(|_| bad());
	};
	let decimals = usize::from(TOKEN_DECIMALS);
	let (whole, fraction) = tokens.trim().split_once('.').unwrap_or((tokens.trim(), ""));
	if whole.is_empty()
		|| fraction.len() > decimals
		|| !fraction.chars().all(|c| c.is_ascii_digit())
	{
		return Err(bad());
	}
	let whole = whole.parse::<Balance>().map_err(|_| bad())?;
	let fraction = format!("{fraction:0<decimals$}").parse::<Balance>().map_err(|_| bad())?;
	whole.checked_mul(UNIT).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
	use super::*;

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
