// The two-validator local testnet (`--chain local`): Alice and Bob find each other and
// finalize together (GRANDPA needs both of two votes, so one alone could not).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { finalizedAtLeast, startNode } from './dev-node.js';

// Fixed network keys (a validator must have one), and the peer id of Alice's, so that Bob can
// be told where to find her.
const ALICE_NODE_KEY = '0000000000000000000000000000000000000000000000000000000000000001';
const ALICE_PEER_ID = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp';
const BOB_NODE_KEY = '0000000000000000000000000000000000000000000000000000000000000002';

let alice;
let bob;

before(async () => {
  alice = await startNode(['--chain', 'local', '--alice', '--node-key', ALICE_NODE_KEY]);
  bob = await startNode([
    '--chain', 'local', '--bob', '--node-key', BOB_NODE_KEY,
    '--bootnodes', `/ip4/127.0.0.1/tcp/${alice.p2pPort}/p2p/${ALICE_PEER_ID}`,
  ]);
});

after(async () => {
  await bob?.stop();
  await alice?.stop();
});

test('two validators peer, author and finalize the same chain', { timeout: 180_000 }, async () => {
  assert.equal((await alice.api.rpc.system.chainType()).toString(), 'Local');
  const [atAlice] = await Promise.all([
    finalizedAtLeast(alice.api, 3),
    finalizedAtLeast(bob.api, 3),
  ]);
  assert.ok((await alice.api.rpc.system.peers()).length >= 1, 'Alice has a peer');
  // The same finalized block on both.
  const hashAtAlice = await alice.api.rpc.chain.getBlockHash(atAlice);
  const hashAtBob = await bob.api.rpc.chain.getBlockHash(atAlice);
  assert.equal(hashAtAlice.toHex(), hashAtBob.toHex());
  assert.equal((await alice.api.query.babe.authorities()).length, 2);
});

/** The BABE authority index in a header's pre-runtime digest (a u32 after the variant byte). */
function babeAuthorIndex(header) {
  const log = header.digest.logs.find((item) => item.isPreRuntime && item.asPreRuntime[0].toString() === 'BABE');
  const data = log.asPreRuntime[1];
  return data[1] | (data[2] << 8) | (data[3] << 16) | (data[4] << 24);
}

test('both validators author blocks', { timeout: 180_000 }, async () => {
  const seen = await new Promise((resolve) => {
    const authors = new Set();
    const unsubscribe = alice.api.rpc.chain.subscribeNewHeads((header) => {
      authors.add(babeAuthorIndex(header));
      if (authors.size === 2) {
        unsubscribe.then((stop) => stop());
        resolve(authors);
      }
    });
  });
  assert.deepEqual([...seen].sort(), [0, 1]);
});
