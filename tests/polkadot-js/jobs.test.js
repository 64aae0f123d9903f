// A job's whole life on a real dev node, driven by @polkadot/api: a requester submits, the
// chain draws three of the twelve dev providers, the providers (played by this test, which holds
// their keys) commit and reveal over RPC, and the chain attests and pays, all read back through
// the `JobsApi` runtime API that Polkadot.js Apps also sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import { blake3 } from '@noble/hashes/blake3';
import { devNodeForFile, devProviders, sendAndWait } from './dev-node.js';

const UNIT = 10n ** 12n;
const dev = devNodeForFile();

/** Resolves with the data of the first `jobs.<method>` event of job `id` from now on. */
function jobEvent(api, method, id) {
  return new Promise((resolve) => {
    const unsubscribe = api.query.system.events((records) => {
      for (const { event } of records) {
        if (event.section === 'jobs' && event.method === method && event.data.job.toNumber() === id) {
          unsubscribe.then((stop) => stop());
          resolve(event.data);
          return;
        }
      }
    });
  });
}

/** sort-u32's output for `values` (KERNELS.md): the values ascending, as u32 little-endian. */
function sortOutput(values) {
  const sorted = new Uint32Array([...values].sort((a, b) => a - b));
  return new Uint8Array(sorted.buffer);
}

/** The job id the `jobs.Submitted` event of a submission names. */
function submittedId(events) {
  const submitted = events.find(({ event }) => event.section === 'jobs' && event.method === 'Submitted');
  assert.ok(submitted, 'jobs.Submitted was emitted');
  return submitted.event.data.job.toNumber();
}

/** The id the next submitted job gets (jobs are numbered in submission order). */
async function nextJobId(api) {
  return (await api.query.jobs.nextJobId()).toNumber();
}

test('a job is assigned, committed, revealed, attested and paid over RPC', { timeout: 180_000 }, async () => {
  const { api } = dev.node;
  const requester = dev.keyring.addFromUri('//Dave');
  const providerKeys = devProviders().map(({ name }) => dev.keyring.addFromUri(`//${name}`));
  const values = [9, 3, 7, 1];
  const input = new Uint8Array(new Uint32Array(values).buffer);
  const reward = UNIT;

  const quote = await api.call.jobsApi.quote('SortU32', [values.length], 3, 2);
  assert.ok(quote.isOk, 'sort-u32 of 4 values can be quoted');
  assert.equal(quote.asOk.workUnits.toNumber(), 8);
  assert.ok(quote.asOk.minReward.asOk.toBigInt() <= reward, 'the dev providers accept the reward');
  assert.equal(quote.asOk.poolNeeded.toNumber(), 6, 'three replicas are drawn from a pool of six');
  assert.equal(quote.asOk.pool.toNumber(), 12);
  // Twelve providers of equal weight at one price: the pool holds all the weight.
  assert.equal(quote.asOk.poolShare.toNumber(), 1_000_000_000);
  assert.equal(quote.asOk.capture.length, 5);

  const submit = api.tx.jobs.submit(
    'SortU32', [values.length], { Inline: u8aToHex(input) }, 3, 2, reward, 20, 20,
  );
  // Listen before sending: the chain draws the job three blocks later.
  const id = await nextJobId(api);
  const assignment = jobEvent(api, 'Assigned', id);
  const { events, error } = await sendAndWait(api, submit, requester);
  assert.equal(error, null);
  assert.equal(submittedId(events), id);
  const assigned = await assignment;
  const assignees = assigned.providers.map((account) => account.toString());
  assert.equal(new Set(assignees).size, 3, 'three distinct providers are drawn');
  const providers = assignees.map((address) => providerKeys.find((p) => p.address === address));
  assert.ok(providers.every(Boolean), 'all drawn from the dev providers');

  const job = (await api.call.jobsApi.job(id)).unwrap();
  assert.ok(job.phase.isCommitting);
  // Read through toJSON: every codec object has a `hash` getter of its own (of its encoding).
  assert.equal(job.toJSON().spec.input.hash, u8aToHex(blake2AsU8a(input, 256)));
  const duties = await api.call.jobsApi.duties(providers[0].address);
  assert.ok(duties.some((d) => d.job.toNumber() === id && d.duty.isCommit), 'the first assignee is told to commit');
  assert.equal(u8aToHex((await api.query.jobs.jobInputs(id)).unwrap()), u8aToHex(input));

  // Each provider computes the result hash (BLAKE3 of the output, KERNELS.md) and commits
  // blake2_256(result_hash ++ salt ++ account).
  const resultHash = blake3(sortOutput(values));
  const salts = providers.map((_, i) => new Uint8Array(32).fill(i + 1));
  const balancesBefore = await Promise.all(
    providers.map(async (p) => (await api.query.system.account(p.address)).data.free.toBigInt()),
  );
  const revealsOpened = jobEvent(api, 'RevealsOpened', id);
  const commits = await Promise.all(providers.map((p, i) => sendAndWait(
    api,
    api.tx.jobs.commit(id, blake2AsU8a(u8aConcat(resultHash, salts[i], decodeAddress(p.address)), 256)),
    p,
  )));
  assert.deepEqual(commits.map((c) => c.error), [null, null, null]);
  await revealsOpened;

  const attested = jobEvent(api, 'Attested', id);
  const reveals = await Promise.all(providers.map((p, i) => sendAndWait(
    api, api.tx.jobs.reveal(id, resultHash, salts[i]), p,
  )));
  assert.deepEqual(reveals.map((r) => r.error), [null, null, null]);
  const verdict = await attested;
  assert.equal(u8aToHex(verdict.resultHash), u8aToHex(resultHash));
  assert.equal(verdict.agreeing.toNumber(), 3);

  const ended = (await api.call.jobsApi.job(id)).unwrap();
  assert.ok(ended.phase.isAttested);
  assert.equal(u8aToHex(ended.phase.asAttested.resultHash), u8aToHex(resultHash));
  assert.equal(ended.escrow.toBigInt(), 0n);
  for (const [i, p] of providers.entries()) {
    const free = (await api.query.system.account(p.address)).data.free.toBigInt();
    // Paid the reward, less the fees of its own commit and reveal (far below a unit).
    assert.ok(free > balancesBefore[i] + reward / 2n, `assignee ${p.address} was paid`);
  }
  assert.equal((await api.call.jobsApi.openJobs()).length, 0);
});

test('a reward no pool accepts is refused, and a job cancelled before its draw refunds everything', { timeout: 120_000 }, async () => {
  const { api } = dev.node;
  const requester = dev.keyring.addFromUri('//Dave//stash');
  const account = async () => (await api.query.system.account(requester.address)).data;
  const input = new Uint8Array(16);
  // A reward of 1 (a millionth of a millionth of a unit) is below every provider's price: the
  // chain refuses it rather than queue a job no pool would take, and the quote says what would do.
  const low = api.tx.jobs.submit('SortU32', [4], { Inline: u8aToHex(input) }, 1, 1, 1, 20, 20);
  const refused = await sendAndWait(api, low, requester);
  assert.equal(refused.error, 'jobs.RewardTooLow');
  assert.equal((await account()).reserved.toBigInt(), 0n, 'nothing is held');
  const quote = (await api.call.jobsApi.quote('SortU32', [4], 1, 1)).asOk;
  assert.equal(quote.minReward.asOk.toBigInt(), 8n, 'eight work units at the dev price of 1');
  assert.equal(quote.poolNeeded.toNumber(), 2);

  // The draw comes three blocks after the submission; until then the job can be taken back.
  const submit = api.tx.jobs.submit('SortU32', [4], { Inline: u8aToHex(input) }, 1, 1, 8, 20, 20);
  const id = await nextJobId(api);
  const { events, error } = await sendAndWait(api, submit, requester);
  assert.equal(error, null);
  assert.equal(submittedId(events), id);
  const held = (await account()).reserved.toBigInt();
  assert.ok(held > 0n, 'the escrow is held');
  const cancel = await sendAndWait(api, api.tx.jobs.cancel(id), requester);
  assert.equal(cancel.error, null);
  assert.equal((await account()).reserved.toBigInt(), 0n, 'the escrow is released');
  assert.ok((await api.call.jobsApi.job(id)).unwrap().phase.isCancelled);

  const again = await sendAndWait(api, api.tx.jobs.cancel(id), requester);
  assert.equal(again.error, 'jobs.JobEnded');
});

test('a bad submission gets a named error and holds nothing', { timeout: 60_000 }, async () => {
  const { api } = dev.node;
  // Dave//stash is no provider: nothing of its balance is held to begin with.
  const requester = dev.keyring.addFromUri('//Dave//stash');
  const heldBefore = (await api.query.system.account(requester.address)).data.reserved.toBigInt();
  const cases = [
    [['SortU32', [0], { Inline: '0x' }, 1, 1, 1, 20, 20], 'jobs.ParamOutOfRange'],
    [['SortU32', [4], { Inline: '0x00' }, 1, 1, 1, 20, 20], 'jobs.InputSizeMismatch'],
    [['SortU32', [4], { Inline: u8aToHex(new Uint8Array(16)) }, 2, 1, 1, 20, 20], 'jobs.QuorumTooLow'],
    [['SortU32', [4], { Inline: u8aToHex(new Uint8Array(16)) }, 1, 1, 1, 1, 20], 'jobs.WindowTooShort'],
    // An input that fits inline is sent inline; a larger remote one names the size the params
    // imply and a root.
    [['SortU32', [4], { Remote: { hash: u8aToHex(new Uint8Array(32).fill(1)), size: 16, source: '/ip4/127.0.0.1/tcp/1' } }, 1, 1, 8, 20, 20],
      'jobs.RemoteInputFitsInline'],
    [['SortU32', [1 << 20], { Remote: { hash: u8aToHex(new Uint8Array(32).fill(1)), size: (4 << 20) - 1, source: '/ip4/127.0.0.1/tcp/1' } }, 1, 1, 8, 20, 20],
      'jobs.InputSizeMismatch'],
    [['SortU32', [1 << 20], { Remote: { hash: u8aToHex(new Uint8Array(32)), size: 4 << 20, source: '/ip4/127.0.0.1/tcp/1' } }, 1, 1, 8, 20, 20],
      'jobs.MissingRoot'],
  ];
  for (const [args, expected] of cases) {
    const { error } = await sendAndWait(api, api.tx.jobs.submit(...args), requester);
    assert.equal(error, expected);
    assert.equal((await api.query.system.account(requester.address)).data.reserved.toBigInt(), heldBefore);
  }
});
