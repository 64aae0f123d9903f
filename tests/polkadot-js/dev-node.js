// Starts a real `concord-node --dev` on free local ports and connects @polkadot/api to it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ApiPromise, WsProvider } from '@polkadot/api';

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

/**
 * Starts the node binary named by CONCORD_NODE (the test harness sets it), waits until its
 * JSON-RPC answers, and returns the connected API and a `stop` function.
 */
export async function startDevNode() {
  const binary = process.env.CONCORD_NODE;
  if (!binary) {
    throw new Error('CONCORD_NODE must name the concord-node binary (run through scripts/test.sh)');
  }
  const [rpcPort, p2pPort] = [await freePort(), await freePort()];
  const args = [
    '--dev', '--tmp', '--no-telemetry', '--no-prometheus', '--no-mdns',
    '--rpc-port', String(rpcPort), '--port', String(p2pPort),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));

  // Wait for the first answered connection, or fail as soon as the node dies.
  const provider = new WsProvider(`ws://127.0.0.1:${rpcPort}`, 250);
  const api = await Promise.race([
    ApiPromise.create({ provider, noInitWarn: true }),
    exited.then((code) => { throw new Error(`concord-node exited with ${code}:\n${log}`); }),
  ]);

  const stop = async () => {
    await api.disconnect();
    child.kill('SIGINT');
    await exited;
  };
  return { api, stop, log: () => log };
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
