// The rules the dashboard shares with the worker, checked against the vectors both test suites
// read (tests/vectors/, at the repository's root): neither side can change one alone. Needs no
// chain: ui/src/output.ts and ui/src/amount.ts are compiled for Node as the dashboard's bundle
// compiles them.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';

let output;
let amount;
let quorum;
let kernels;
let phase;
let dir;

/** `ui/src/<name>.ts`, bundled for Node and imported. */
async function compiled(name) {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [new URL(`../src/${name}.ts`, import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'error',
  });
  return import(outfile);
}

before(async () => {
  await cryptoWaitReady();
  dir = await mkdtemp(join(tmpdir(), 'concord-vectors-'));
  output = await compiled('output');
  amount = await compiled('amount');
  quorum = await compiled('quorum');
  kernels = await compiled('kernels');
  phase = await compiled('phase');
});

after(() => rm(dir, { recursive: true, force: true }));

async function vectors(name) {
  return JSON.parse(
    await readFile(new URL(`../../tests/vectors/${name}.json`, import.meta.url), 'utf8'),
  );
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

test('amounts are read and written as the command line reads and writes them', async () => {
  const { symbol, decimals, parse, format } = await vectors('amounts');
  // The token a chain without properties is taken to have is the runtime's.
  assert.deepEqual(amount.FALLBACK_TOKEN, { symbol, decimals });
  const token = { symbol, decimals };
  assert.ok(parse.some((c) => c.units === null) && parse.length > 10);
  for (const c of parse) {
    let got = null;
    try {
      got = amount.parseAmount(token, c.text).toString();
    } catch {
      // Not an amount.
    }
    assert.equal(got, c.units, JSON.stringify(c.text));
  }
  for (const c of format) {
    assert.equal(amount.formatAmount(token, BigInt(c.units)), c.dashboard, c.units);
    assert.equal(c.dashboard.replaceAll(',', ''), c.text, 'the same text, but for the commas');
  }
});

test('the default quorum is the majority the command line takes', async () => {
  const { default_replicas: replicas, cases } = await vectors('majority');
  assert.equal(quorum.DEFAULT_REPLICAS, replicas);
  assert.ok(cases.length > 10);
  for (const c of cases)
    assert.equal(quorum.majority(c.replicas), c.majority, `${c.replicas} replicas`);
});

test('params are read as the command line reads them', async () => {
  const { cases } = await vectors('params');
  assert.ok(cases.some((c) => c.value === null) && cases.length > 10);
  for (const c of cases) {
    let got = null;
    try {
      [got] = kernels.parseParams(c.text);
    } catch {
      // Not a param.
    }
    assert.equal(got, c.value, JSON.stringify(c.text));
  }
});

test('a phase reads in the words the command line writes', async () => {
  const { cases } = await vectors('phases');
  assert.ok(cases.length >= 12);
  for (const c of cases) {
    assert.equal(phase.phaseWords(c.phase), c.words, JSON.stringify(c.phase));
  }
});
