// The connection to a Concord node, and what every page needs from it: amounts in CORD,
// dispatch errors by name, and transactions followed until they are in a block.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { EventRecord, DispatchError } from '@polkadot/types/interfaces';
import type { Signer as InjectedSigner } from '@polkadot/types/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { FALLBACK_TOKEN, type Token } from './amount';

export { formatAmount, parseAmount } from './amount';

/** The node the page talks to unless told otherwise: a local dev chain. */
const DEFAULT_NODE = 'ws://127.0.0.1:9944';
const NODE_KEY = 'concord.node';

// Concord's own transaction extension (pallet-jobs' `PrioritizeDuties`) adds nothing to an
// extrinsic or its signed payload; declaring it tells @polkadot/api so.
const CONCORD_EXTENSIONS = { PrioritizeDuties: { extrinsic: {}, payload: {} } };

/**
 * The node URL: `?rpc=` in the address (as Polkadot.js Apps takes it), else the one last used
 * in this browser, else the local dev chain.
 */
export function nodeUrl(): string {
  const fromAddress = new URLSearchParams(location.search).get('rpc');
  return fromAddress ?? localStorage.getItem(NODE_KEY) ?? DEFAULT_NODE;
}

export function rememberNode(url: string): void {
  localStorage.setItem(NODE_KEY, url);
}

export interface Chain extends Token {
  api: ApiPromise;
  /** Whether the chain is a development chain, whose dev accounts the page offers. */
  development: boolean;
}

/** Connects to `url`; rejects if the node does not answer within `timeoutMs`. */
export async function connect(url: string, timeoutMs = 15_000): Promise<Chain> {
  const provider = new WsProvider(url, 2_500, {}, timeoutMs);
  const api = await Promise.race([
    ApiPromise.create({ provider, noInitWarn: true, signedExtensions: CONCORD_EXTENSIONS }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer from ${url}`)), timeoutMs),
    ),
  ]).catch(async (error) => {
    await provider.disconnect();
    throw error;
  });
  const chainType = await api.rpc.system.chainType();
  return {
    api,
    decimals: api.registry.chainDecimals[0] ?? FALLBACK_TOKEN.decimals,
    symbol: api.registry.chainTokens[0] ?? FALLBACK_TOKEN.symbol,
    development: chainType.isDevelopment || chainType.isLocal,
  };
}

/** A dispatch error by name, as the chain's metadata spells it: `jobs.InvalidParams`. */
export function errorName(api: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    const { section, name } = api.registry.findMetaError(error.asModule);
    return `${section}.${name}`;
  }
  if (error.isToken) return `token.${error.asToken.type}`;
  if (error.isArithmetic) return `arithmetic.${error.asArithmetic.type}`;
  return error.type;
}

/** Who signs: a dev account's key in the page, or a browser wallet's signer. */
export type Signing = { pair: KeyringPair } | { address: string; signer: InjectedSigner };

export interface Included {
  events: EventRecord[];
  /** The dispatch error by name, or null if the call succeeded. */
  error: string | null;
  blockHash: string;
}

/**
 * Signs and sends `tx`, resolving once it is in a block with its events and its error by
 * name. Rejects if the pool refuses or drops it.
 */
export function send(
  api: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  signing: Signing,
): Promise<Included> {
  return new Promise((resolve, reject) => {
    const [account, options] =
      'pair' in signing ? [signing.pair, {}] : [signing.address, { signer: signing.signer }];
    tx.signAndSend(account, options, ({ status, events, dispatchError }) => {
      if (status.isInBlock) {
        resolve({
          events,
          error: dispatchError ? errorName(api, dispatchError) : null,
          blockHash: status.asInBlock.toHex(),
        });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        reject(new Error(`the transaction was ${status.type.toLowerCase()}`));
      }
    }).catch(reject);
  });
}
