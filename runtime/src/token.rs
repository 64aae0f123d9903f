// The token's name and scale, written once: the runtime's `units` re-exports them, and
// `build.rs` includes this file to hash them into the metadata (`CheckMetadataHash`), which
// wallets check before they show an amount.

/// The token's symbol, as Polkadot.js Apps shows it.
pub const TOKEN_SYMBOL: &str = "CORD";
/// Decimal places of one token.
pub const TOKEN_DECIMALS: u8 = 12;
