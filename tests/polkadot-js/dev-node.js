// Starts a real `concord-node --dev` on free local ports and connects @polkadot/api to it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { after, before } from 'node:test';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

// Concord's own transaction extension (pallet-jobs' `PrioritizeDuties`) adds nothing to an
// extrinsic or its signed payload; declaring it tells @polkadot/api so.
export const CONCORD_EXTENSIONS = { PrioritizeDuties: { extrinsic: {}, payload: {} } };

/**
 * The dev chains' genesis providers, as in `runtime/dev-providers.txt` (the file the runtime's
 * presets read): `{ name, p2pPort, httpPort }` for each, in its order.
 */
export function devProviders() {
  const file = readFileSync(new URL('../../runtime/dev-providers.txt', import.meta.url), 'utf8');
  return file
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, p2pPort, httpPort] = line.split(/\s+/);
      return { name, p2pPort: Number(p2pPort), httpPort: Number(httpPort) };
    });
}

/** A TCP port no one listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`, polling every 100 ms. */
async function portOpen(port, stillRunning) {
  while (stillRunning()) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A `--dev` node: one validator, Alice. */
export function startDevNode() {
  return startNode(['--dev']);
}

/**
 * Gives the calling test file one `--dev` node, started before its tests and stopped after
 * them. Returns an object whose `node` and `keyring` (sr25519, SS58 prefix 42) are set by the
 * time the tests run.
 */
export function devNodeForFile() {
  const context = { node: undefined, keyring: undefined };
  before(async () => {
    await cryptoWaitReady();
    context.keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    context.node = await startDevNode();
  });
  after(async () => {
    await context.node?.stop();
  });
  return context;
}

/**
 * Starts the node binary named by CONCORD_NODE (the test harness sets it) with `chainArgs`,
 * on free local ports and temporary storage, waits until its JSON-RPC answers, and returns
 * the connected API, its p2p port and a `stop` function.
 */
export async function startNode(chainArgs) {
  const binary = process.env.CONCORD_NODE;
  if (!binary) {
    throw new Error('CONCORD_NODE must name the concord-node binary (run through scripts/test.sh)');
  }
  const [rpcPort, p2pPort] = [await freePort(), await freePort()];
  const args = [
    ...chainArgs, '--tmp', '--no-telemetry', '--no-prometheus', '--no-mdns',
    '--rpc-port', String(rpcPort), '--port', String(p2pPort),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  let running = true;
  const exited = new Promise((resolve) => child.on('exit', (code) => { running = false; resolve(code); }));
  // Connect only once the RPC server listens, rather than logging failed attempts meanwhile.
  await portOpen(rpcPort, () => running);

  // Wait for the first answered connection, or fail as soon as the node dies.
  const provider = new WsProvider(`ws://127.0.0.1:${rpcPort}`, 250);
  let api;
  try {
    api = await Promise.race([
      ApiPromise.create({ provider, noInitWarn: true, signedExtensions: CONCORD_EXTENSIONS }),
      exited.then((code) => { throw new Error(`concord-node exited with ${code}:\n${log}`); }),
    ]);
  } catch (error) {
    // Stop reconnecting (it would keep the test process alive) and the node, if it still runs.
    await provider.disconnect();
    child.kill('SIGKILL');
    throw error;
  }

  const stop = async () => {
    await api.disconnect();
    child.kill('SIGINT');
    await exited;
  };
  return { api, stop, p2pPort, log: () => log };
}

/**
 * Signs and sends `tx` and resolves once it is in a block, with the events it emitted and the
 * decoded dispatch error (null on success).
 */
export function sendAndWait(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInBlock) {
        let error = null;
        if (dispatchError) {
          error = dispatchError.isModule
            ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(dispatchError.asModule))
            : dispatchError.toString();
        }
        resolve({ events, error, blockHash: status.asInBlock });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        reject(new Error(`transaction ${status.type}`));
      }
    }).catch(reject);
  });
}

/** Resolves with the first finalized block number at or above `target` seen by `api`. */
export function finalizedAtLeast(api, target) {
  return new Promise((resolve) => {
    const unsubscribe = api.rpc.chain.subscribeFinalizedHeads((header) => {
      if (header.number.toNumber() >= target) {
        unsubscribe.then((stop) => stop());
        resolve(header.number.toNumber());
      }
    });
  });
}
