// What the dashboard's shell gives each page, in a module of its own so that the shell
// (`main.ts`) imports the pages and no page imports the shell.
import type { Chain } from './chain';
import type { Account } from './accounts';

/** What a page gets: the chain, the chosen account, and a way to follow new blocks. */
export interface Context {
  chain: Chain;
  account(): Account | undefined;
  /** Calls `listener` with each new best block number, until the page is left. */
  onHead(listener: (block: number) => void): void;
  root: HTMLElement;
}

/** A page: draws itself into `context.root`, given the route's argument (`#/job/<id>`). */
export type Page = (context: Context, argument: string | undefined) => Promise<void>;
