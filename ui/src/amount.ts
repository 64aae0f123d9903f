// Amounts as the command line writes and reads them (worker/src/cli/amount.rs and
// worker/src/report.rs), pinned to them by tests/vectors/amounts.json.

/** The token's symbol and decimals, as the chain's properties give them. */
export interface Token {
  decimals: number;
  symbol: string;
}

/** What a chain that gives no token properties is taken to use: the runtime's `units`. */
export const FALLBACK_TOKEN: Token = { decimals: 12, symbol: 'CORD' };

/** The largest balance: the runtime's `Balance` is a `u128`. */
const MAX_BALANCE = (1n << 128n) - 1n;

/**
 * `units` in whole tokens, trailing zeros dropped and thousands grouped: `1,000.5 CORD`. The
 * command line writes the same without the commas.
 */
export function formatAmount(token: Token, units: bigint): string {
  const scale = 10n ** BigInt(token.decimals);
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(token.decimals, '0').replace(/0+$/, '');
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction ? `.${fraction}` : ''} ${token.symbol}`;
}

/**
 * An amount as the command line takes it: whole tokens with the symbol (`200CORD`, `0.5 CORD`)
 * or the smallest unit (`1500`), never more than a `u128`. Throws on anything else.
 */
export function parseAmount(token: Token, text: string): bigint {
  const trimmed = text.trim();
  const bad = new Error(`"${text}" is not an amount (e.g. 1500 or 200${token.symbol})`);
  let units: bigint;
  if (!trimmed.endsWith(token.symbol)) {
    if (!/^\d+$/.test(trimmed)) throw bad;
    units = BigInt(trimmed);
  } else {
    const tokens = trimmed.slice(0, -token.symbol.length).trim();
    const match = /^(\d+)(?:\.(\d+))?$/.exec(tokens);
    if (!match || (match[2]?.length ?? 0) > token.decimals) throw bad;
    const fraction = (match[2] ?? '').padEnd(token.decimals, '0');
    units = BigInt(match[1]) * 10n ** BigInt(token.decimals) + BigInt(fraction || '0');
  }
  if (units > MAX_BALANCE) throw bad;
  return units;
}
