// The dashboard's shell: the node field, the account picker, live heads, and the router
// (`#/`, `#/submit`, `#/job/<id>`, `#/provider[/<account>]`).
import './style.css';
import { connect, nodeUrl, rememberNode, type Chain } from './chain';
import { loadAccounts, type Account } from './accounts';
import { h } from './dom';
import type { Context, Page } from './context';
import { marketPage } from './pages/market';
import { submitPage } from './pages/submit';
import { jobPage } from './pages/job';
import { providerPage } from './pages/provider';

const ROUTES: Record<string, Page> = {
  '': marketPage,
  submit: submitPage,
  job: jobPage,
  provider: providerPage,
};

const ACCOUNT_KEY = 'concord.account';
const root = document.getElementById('page')!;
const status = document.getElementById('node-status')!;
const urlField = document.getElementById('node-url') as HTMLInputElement;
const picker = document.getElementById('account') as HTMLSelectElement;

let chain: Chain | undefined;
let accounts: Account[] = [];
let headListeners: ((block: number) => void)[] = [];
let unsubscribeHeads: (() => void) | undefined;

async function start(url: string): Promise<void> {
  urlField.value = url;
  status.textContent = `connecting to ${url}…`;
  unsubscribeHeads?.();
  await chain?.api.disconnect();
  chain = undefined;
  try {
    chain = await connect(url);
  } catch (error) {
    status.textContent = `cannot reach ${url}: ${(error as Error).message}`;
    status.className = 'error';
    root.replaceChildren(
      h('p', { class: 'error' }, 'Not connected: start a node, or enter its address above.'),
    );
    return;
  }
  rememberNode(url);
  const name = await chain.api.rpc.system.chain();
  status.className = 'muted';
  status.textContent = `${name}`;
  unsubscribeHeads = await chain.api.rpc.chain.subscribeNewHeads((header) => {
    const block = header.number.toNumber();
    status.textContent = `${name}, block #${block}`;
    status.dataset.block = String(block);
    for (const listener of headListeners) listener(block);
  });
  accounts = await loadAccounts(chain.development);
  const chosen = localStorage.getItem(ACCOUNT_KEY);
  picker.replaceChildren(
    ...accounts.map((account) =>
      h('option', { value: account.address, selected: account.address === chosen }, account.name),
    ),
  );
  await route();
}

async function route(): Promise<void> {
  if (!chain) return;
  headListeners = [];
  // Set once the page has drawn, for tests and scripts that drive the dashboard.
  delete root.dataset.ready;
  const [name, argument] = location.hash.replace(/^#\/?/, '').split('/');
  const page = ROUTES[name] ?? marketPage;
  root.replaceChildren();
  const context: Context = {
    chain,
    account: () => accounts.find((account) => account.address === picker.value),
    onHead: (listener) => headListeners.push(listener),
    root,
  };
  try {
    await page(context, argument ? decodeURIComponent(argument) : undefined);
  } catch (error) {
    root.append(h('p', { class: 'error' }, (error as Error).message));
  }
  root.dataset.ready = 'yes';
}

document.getElementById('node-form')!.addEventListener('submit', (event) => {
  event.preventDefault();
  void start(urlField.value.trim());
});
picker.addEventListener('change', () => {
  localStorage.setItem(ACCOUNT_KEY, picker.value);
  void route();
});
window.addEventListener('hashchange', () => void route());
void start(nodeUrl());
