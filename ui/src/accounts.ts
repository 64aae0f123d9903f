// The accounts the page can sign with: a browser wallet's (through @polkadot/extension-dapp),
// and on a development chain the well-known dev accounts, whose keys are public anyway.
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { web3Accounts, web3Enable, web3FromAddress } from '@polkadot/extension-dapp';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import type { Signing } from './chain';
import devProvidersList from '../../runtime/dev-providers.txt?raw';

export interface Account {
  name: string;
  address: string;
  /** How transactions from it are signed. */
  signing(): Promise<Signing>;
  /**
   * Its sr25519 signature over `message`, hex. A wallet signs `<Bytes>message</Bytes>`, which
   * is what the providers' grant check accepts from wallets.
   */
  signBytes(message: Uint8Array): Promise<string>;
}

/**
 * The dev accounts the page offers on a development chain: every genesis provider of
 * `runtime/dev-providers.txt` (the file the chain's presets read; bundled at build time), so
 * that each can be run from its provider page, and Dave and his stash, the requesters.
 */
const DEV_ACCOUNTS = [
  ...devProvidersList
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(/\s+/)[0]),
  'Dave',
  'Dave//stash',
];

function devAccount(keyring: Keyring, name: string): Account {
  const pair: KeyringPair = keyring.addFromUri(`//${name}`, { name });
  return {
    name: `${name} (dev)`,
    address: pair.address,
    signing: async () => ({ pair }),
    signBytes: async (message) => u8aToHex(pair.sign(message)),
  };
}

/** The accounts a wallet shares with this page; none when there is no wallet. */
async function walletAccounts(): Promise<Account[]> {
  const wallets = await web3Enable('Concord dashboard');
  if (wallets.length === 0) return [];
  const accounts = await web3Accounts({ accountType: ['sr25519'], ss58Format: 42 });
  return accounts.map((account) => ({
    name: `${account.meta.name ?? 'account'} (${account.meta.source})`,
    address: account.address,
    signing: async () => ({
      address: account.address,
      signer: (await web3FromAddress(account.address)).signer,
    }),
    signBytes: async (message) => {
      const signer = (await web3FromAddress(account.address)).signer;
      if (!signer.signRaw) throw new Error('the wallet cannot sign bytes');
      const { signature } = await signer.signRaw({
        address: account.address,
        data: u8aToHex(message),
        type: 'bytes',
      });
      return signature;
    },
  }));
}

/** Every account the page can use: wallet accounts first, then dev accounts on dev chains. */
export async function loadAccounts(development: boolean): Promise<Account[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const wallet = await walletAccounts().catch(() => []);
  const dev = development ? DEV_ACCOUNTS.map((name) => devAccount(keyring, name)) : [];
  return [...wallet, ...dev];
}
