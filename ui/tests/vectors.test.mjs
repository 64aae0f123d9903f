// The rules the dashboard shares with the worker, checked against the vectors both test suites
// read (tests/vectors/, at the repository's root): neither side can change one alone. Needs no
// chain: ui/src/output.ts is compiled for Node as the dashboard's bundle compiles it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';

let output;
let dir;

before(async () => {
  await cryptoWaitReady();
  dir = await mkdtemp(join(tmpdir(), 'concord-vectors-'));
  const outfile = join(dir, 'output.mjs');
  await build({
    entryPoints: [new URL('../src/output.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'error',
  });
  output = await import(outfile);
});

after(() => rm(dir, { recursive: true, force: true }));

async function vectors(name) {
  return JSON.parse(await readFile(new URL(`../../tests/vectors/${name}.json`, import.meta.url), 'utf8'));
}

test('grants are signed over, and written as, the worker reads them', async () => {
  const { cases } = await vectors('grants');
  assert.ok(cases.length >= 2);
  for (const c of cases) {
    const message = output.grantMessage(c.root);
    assert.equal(u8aToHex(message), c.message, c.root);
    assert.equal(u8aToHex(u8aWrapBytes(message)), c.wrapped, `what a wallet signs for ${c.root}`);
    assert.equal(output.grantHex(hexToU8a(c.public_key), c.signature), c.grant, c.root);
    const signed = c.signed === 'wrapped' ? c.wrapped : c.message;
    assert.ok(signatureVerify(hexToU8a(signed), c.signature, c.public_key).isValid, c.root);
  }
});

test('the gateway in an endpoint is the one the worker reads there', async () => {
  const { cases } = await vectors('endpoints');
  assert.ok(cases.some((c) => !c.valid) && cases.some((c) => c.gateway));
  for (const c of cases) {
    assert.equal(output.gatewayUrl(c.endpoint), c.gateway, c.endpoint);
  }
});
