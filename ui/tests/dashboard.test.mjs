// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a real
// dev node and provider workers, which the harness (worker/tests/network/dashboard.rs) starts
// and names in CONCORD_RPC. Screenshots go to CONCORD_SCREENSHOTS.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex, u8aWrapBytes } from '@polkadot/util';

const rpc = process.env.CONCORD_RPC;
const screenshots =
  process.env.CONCORD_SCREENSHOTS ?? new URL('../screenshots', import.meta.url).pathname;
const dist = new URL('../dist', import.meta.url).pathname;
/** How long the page may take to show what a step waits for: blocks, not milliseconds. */
const STEP_MS = 240_000;

let server;
let browser;
let page;
let api;
let base;
/** Requests the page made to anything but this machine: the dashboard must make none. */
const outside = [];
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

/** Serves ui/dist, as `vite preview` would, on a free port. */
function serveDist() {
  const types = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.wasm': 'application/wasm',
  };
  return new Promise((resolve) => {
    const http = createServer(async (request, response) => {
      const path =
        normalize(new URL(request.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
      try {
        const body = await readFile(join(dist, path));
        response.writeHead(200, {
          'Content-Type': types[extname(path)] ?? 'application/octet-stream',
        });
        response.end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    http.listen(0, '127.0.0.1', () => resolve(http));
  });
}

before(async () => {
  assert.ok(rpc, 'CONCORD_RPC names the dev node (run through cargo test: worker/tests/network)');
  await cryptoWaitReady();
  await mkdir(screenshots, { recursive: true });
  server = await serveDist();
  base = `http://127.0.0.1:${server.address().port}/?rpc=${encodeURIComponent(rpc)}`;
  api = await ApiPromise.create({
    provider: new WsProvider(rpc),
    noInitWarn: true,
    signedExtensions: { PrioritizeDuties: { extrinsic: {}, payload: {} } },
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(STEP_MS);
  page.on('request', (request) => {
    const { hostname, protocol } = new URL(request.url());
    if (!['127.0.0.1', 'localhost'].includes(hostname) && !['data:', 'blob:'].includes(protocol)) {
      outside.push(request.url());
    }
  });
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
  await injectWallet();
});

/**
 * A browser wallet holding Dave's key, injected as extensions inject themselves
 * (`window.injectedWeb3`), so the page finds it through @polkadot/extension-dapp. Its keys stay
 * in this process, as a wallet's stay in the extension: the page only asks it to sign, and it
 * signs bytes wrapped in `<Bytes>…</Bytes>` as the Polkadot.js extension does.
 */
async function injectWallet() {
  const dave = keyring.addFromUri('//Dave');
  await page.exposeFunction('walletSignPayload', (payload) => {
    const extrinsic = api.registry.createType('ExtrinsicPayload', payload, {
      version: payload.version,
    });
    return extrinsic.sign(dave).signature;
  });
  await page.exposeFunction('walletSignRaw', (raw) => u8aToHex(dave.sign(u8aWrapBytes(raw.data))));
  await page.addInitScript((address) => {
    const account = { address, name: 'Dave', type: 'sr25519' };
    let id = 0;
    window.injectedWeb3 = {
      'test-wallet': {
        version: '1.0.0',
        enable: async () => ({
          accounts: {
            get: async () => [account],
            subscribe: (callback) => {
              callback([account]);
              return () => {};
            },
          },
          signer: {
            signPayload: async (payload) => ({
              id: ++id,
              signature: await window.walletSignPayload(payload),
            }),
            signRaw: async (raw) => ({ id: ++id, signature: await window.walletSignRaw(raw) }),
          },
        }),
      },
    };
  }, dave.address);
}

after(async () => {
  await browser?.close();
  await api?.disconnect();
  server?.close();
});

const account = async (name) =>
  (await api.query.system.account(keyring.addFromUri(`//${name}`).address)).data;

/** Opens `route` as `name`'s dev account, or as `label` in the account picker. */
async function open(route, name, label = `${name} (dev)`) {
  await page.goto(`${base}${route}`);
  await page.locator('#account option', { hasText: label }).waitFor({ state: 'attached' });
  await page.selectOption('#account', { label });
  await page.locator('#page[data-ready]').waitFor({ state: 'attached' });
}

test("the market shows the dev chain's providers, live", { timeout: STEP_MS }, async () => {
  await open('#/', 'Dave');
  // The twelve of runtime/dev-providers.txt.
  await page.locator('#providers tbody tr').nth(11).waitFor();
  assert.equal(await page.locator('#providers tbody tr').count(), 12);
  // Amounts in CORD, not raw units.
  assert.match(await page.locator('#providers').innerText(), /1,000 CORD/);
  const block = Number(await page.locator('#node-status').getAttribute('data-block'));
  await page.waitForFunction(
    (seen) => Number(document.querySelector('#node-status').dataset.block) > seen,
    block,
  );
});

test(
  "bad params show the chain's named error, and nothing is held",
  { timeout: STEP_MS },
  async () => {
    const before = await account('Dave');
    const jobsBefore = (await api.query.jobs.nextJobId()).toNumber();
    await open('#/submit', 'Dave');
    await page.fill('#params', '5000,64,64,-10240,-4096,128');
    await page.locator('#quote-error').waitFor();
    assert.match(await page.locator('#quote-error').innerText(), /InvalidParams/);
    await page.click('#submit');
    await page.locator('#submit-error').waitFor();
    // Refused before signing: not even a fee moved.
    const unsigned = await account('Dave');
    assert.equal(unsigned.free.toBigInt(), before.free.toBigInt());

    // A quorum above the replicas is refused by the quote too, before signing.
    await page.fill('#params', '96,64,64,-10240,-4096,128');
    await page.locator('#min-reward').waitFor();
    await page.fill('#quorum', '4');
    await page.locator('#quote-error').filter({ hasText: 'InvalidQuorum' }).waitFor();
    await page.fill('#quorum', '2');
    await page.locator('#min-reward').waitFor();
    // A reward under every provider's cost passes the quote (which prices the job, not the
    // offer) and is refused by `submit` itself: the dispatch error is shown by name, only the
    // fee is paid, nothing held.
    await page.fill('#reward', '1');
    await page.click('#submit');
    await page.locator('#submit-error').filter({ hasText: 'RewardTooLow' }).waitFor();
    const text = await page.locator('#submit-error').innerText();
    assert.match(text, /jobs\.RewardTooLow/);
    const after = await account('Dave');
    assert.equal(after.reserved.toBigInt(), before.reserved.toBigInt(), 'nothing held');
    assert.equal((await api.query.jobs.nextJobId()).toNumber(), jobsBefore, 'no job made');
    assert.ok(after.free.toBigInt() < before.free.toBigInt(), 'the fee was paid');
    assert.ok(before.free.toBigInt() - after.free.toBigInt() < 10n ** 12n, 'and nothing but a fee');
  },
);

test(
  'a mandelbrot job submitted from the page is attested and its picture appears',
  { timeout: 2 * STEP_MS },
  async () => {
    await open('#/submit', 'Dave');
    await page.locator('#min-reward').waitFor();
    // Twelve providers of equal weight at one price: the pool is all of them, and the page bounds
    // the chance of each coalition in the quote.
    assert.equal(await page.locator('#pool-share').innerText(), '100.00 %');
    assert.equal(await page.locator('#capture li').count(), 5);
    assert.match(
      await page.locator('#capture li').nth(2).innerText(),
      /with 10\.00 % of the weight: at most \d+\.\d\d %/,
    );
    // The commit windows the chain takes: from what the work needs to ten times that (at most
    // half an hour), so that nobody holds honest assignees' slots for long (NM3).
    const [, shortest, longest] = (await page.locator('#commit-windows').innerText())
      .match(/^(\d+) to (\d+) blocks$/)
      .map(Number);
    assert.equal(longest, Math.min(10 * shortest, 600));
    await page.screenshot({ path: join(screenshots, 'submit.png'), fullPage: true });
    await page.click('#submit');
    const link = page.locator('#submitted a');
    await link.waitFor();
    const id = Number((await link.innerText()).replace(/\D/g, ''));
    await link.click();
    await page.locator('#verified').waitFor();
    const job = (await api.query.jobs.jobs(id)).unwrap();
    assert.ok(job.phase.isAttested, `job ${id} is attested on chain`);
    const hash = job.phase.asAttested.resultHash.toHex();
    assert.match(await page.locator('#verified').innerText(), new RegExp(hash.slice(0, 10)));
    // The picture: a canvas of the job's size with more than a couple of shades.
    const shades = await page.locator('#output canvas').evaluate((canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return { width: canvas.width, height: canvas.height, shades: seen.size };
    });
    assert.deepEqual([shades.width, shades.height], [96, 64]);
    assert.ok(shades.shades > 8, `a fractal, not a flat picture: ${shades.shades} shades`);
    for (const kind of ['Submitted', 'Assigned', 'Committed', 'Revealed', 'Attested', 'Paid']) {
      assert.ok(
        (await page.locator(`#timeline li[data-event="${kind}"]`).count()) > 0,
        `the timeline shows ${kind}`,
      );
    }
    await page.screenshot({ path: join(screenshots, 'job.png'), fullPage: true });
  },
);

test(
  'a matmul job with an input file, signed by a browser wallet, shows its output as a table',
  { timeout: 2 * STEP_MS },
  async () => {
    // A (4×4 i8) then B (4×4 i8), row-major, as KERNELS.md lays them out.
    const a = Int8Array.from({ length: 16 }, (_, i) => i - 8);
    const b = Int8Array.from({ length: 16 }, (_, i) => 3 * (i % 5) - 7);
    const input = new Uint8Array([...new Uint8Array(a.buffer), ...new Uint8Array(b.buffer)]);
    const expected = Array.from({ length: 4 }, (_, i) =>
      Array.from({ length: 4 }, (_, j) =>
        [0, 1, 2, 3].reduce((sum, t) => sum + a[i * 4 + t] * b[t * 4 + j], 0),
      ),
    );

    await open('#/submit', 'Dave', 'Dave (test-wallet)');
    await page.selectOption('#kernel', 'MatmulI8');
    await page.fill('#params', '4,4,4');
    await page.setInputFiles('#input-file', {
      name: 'matmul.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(input),
    });
    await page.locator('#input-hash', { hasText: blake2AsHex(input, 256) }).waitFor();
    await page.locator('#min-reward').waitFor();
    await page.click('#submit');
    const link = page.locator('#submitted a');
    await link.waitFor();
    await link.click();
    // The wallet signs the grant too (`<Bytes>`-wrapped), which the providers' gateway accepts.
    await page.locator('#verified').waitFor();
    const shown = await page
      .locator('#output table.matrix')
      .evaluate((table) =>
        Array.from(table.rows, (row) => Array.from(row.cells, (cell) => Number(cell.textContent))),
      );
    assert.deepEqual(shown, expected);
  },
);

test(
  'a provider goes offline from its page, and the market shows it',
  { timeout: STEP_MS },
  async () => {
    await open('#/provider', 'Ferdie');
    await page.locator('#go-offline').click();
    await page.locator('#action-done').waitFor();
    await page.locator('#status', { hasText: 'Offline' }).waitFor();
    const record = (
      await api.query.providers.providers(keyring.addFromUri('//Ferdie').address)
    ).unwrap();
    assert.ok(record.status.isOffline, 'the chain has it offline');
    await page.screenshot({ path: join(screenshots, 'provider.png'), fullPage: true });

    // The market, live: Ferdie offline, both jobs attested and in the charts.
    await open('#/', 'Dave');
    await page.locator('#providers td', { hasText: 'Offline' }).first().waitFor();
    await page.locator('#jobs td', { hasText: 'Attested' }).nth(1).waitFor();
    const bars = (chart) =>
      page
        .locator(`${chart} rect`)
        .evaluateAll(
          (rects) => rects.filter((rect) => Number(rect.getAttribute('height')) > 0).length,
        );
    assert.ok((await bars('#settled-chart')) >= 1, 'a block that settled a job');
    assert.equal(await bars('#latency-chart'), 2, 'both jobs, from submission to verdict');
    await page.screenshot({ path: join(screenshots, 'market.png'), fullPage: true });
  },
);

test(
  'an account registers as a provider from the page, and starts leaving',
  { timeout: STEP_MS },
  async () => {
    const dave = keyring.addFromUri('//Dave').address;
    await open('#/provider', 'Dave');
    await page.locator('#status', { hasText: 'Not a registered provider' }).waitFor();
    await page.fill('#stake-input', '150CORD');
    await page.click('#register');
    await page.locator('#action-done').waitFor();
    await page.locator('#stake', { hasText: '150 CORD' }).waitFor();
    const registered = (await api.query.providers.providers(dave)).unwrap();
    assert.equal(registered.stake.toBigInt(), 150n * 10n ** 12n);
    assert.equal(
      (await account('Dave')).reserved.toBigInt(),
      150n * 10n ** 12n,
      'the stake is held',
    );

    await page.click('#unregister');
    await page.locator('#status', { hasText: 'Unbonding' }).waitFor();
    // Withdrawing before the unbonding period is over is refused by name, and nothing moves.
    await page.click('#withdraw');
    await page.locator('#action-error', { hasText: 'providers.UnbondingNotOver' }).waitFor();
    assert.equal((await account('Dave')).reserved.toBigInt(), 150n * 10n ** 12n, 'still held');
  },
);

test('the page asked nothing of any machine but this one', () => {
  assert.deepEqual(outside, []);
});
