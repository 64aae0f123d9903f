// A client no one here wrote (@polkadot/api, what Polkadot.js Apps uses) against a real dev node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { devNodeForFile, devProviders, finalizedAtLeast, sendAndWait } from './dev-node.js';

const UNIT = 10n ** 12n;
const dev = devNodeForFile();

test('the chain describes itself so that Apps shows amounts and dev accounts', async () => {
  const { api } = dev.node;
  // What Apps formats balances and addresses with, read from `system_properties`.
  assert.deepEqual(api.registry.chainTokens, ['CORD']);
  assert.deepEqual(api.registry.chainDecimals, [12]);
  assert.equal(api.registry.chainSS58, 42);
  assert.equal((await api.rpc.system.chainType()).toString(), 'Development');
  assert.equal(api.runtimeVersion.specName.toString(), 'concord');
});

test('blocks are authored and finalized', { timeout: 120_000 }, async () => {
  const { api } = dev.node;
  const finalized = await finalizedAtLeast(api, 2);
  assert.ok(finalized >= 2);
  const digest = (await api.rpc.chain.getHeader()).digest.logs.map((log) => log.type);
  assert.ok(digest.includes('PreRuntime'), 'blocks carry a BABE pre-digest');
});

test('every call of the providers pallet is documented in the metadata', () => {
  const { api } = dev.node;
  const calls = Object.keys(api.tx.providers);
  assert.deepEqual(
    calls.sort(),
    ['bondExtra', 'goOffline', 'goOnline', 'register', 'unregister', 'update', 'withdraw'],
  );
  for (const call of calls) {
    assert.ok(api.tx.providers[call].meta.docs.length > 0, `${call} has docs`);
  }
});

test('the dev chain starts with the twelve online providers of runtime/dev-providers.txt', async () => {
  const { api } = dev.node;
  const entries = await api.query.providers.providers.entries();
  const providers = new Map(entries.map(([key, value]) => [key.args[0].toString(), value.unwrap()]));
  const listed = devProviders();
  assert.equal(listed.length, 12);
  for (const { name, p2pPort, httpPort } of listed) {
    const account = dev.keyring.addFromUri(`//${name}`).address;
    const info = providers.get(account);
    assert.ok(info, `${name} is a provider`);
    assert.equal(info.stake.toBigInt(), 1000n * UNIT);
    assert.equal(info.status.toString(), 'Online');
    assert.equal(
      info.endpoint.toUtf8(),
      `/ip4/127.0.0.1/tcp/${p2pPort},/ip4/127.0.0.1/tcp/${httpPort}/http`,
    );
    assert.deepEqual(
      info.capabilities.kernels.map((kernel) => kernel.toString()),
      ['MatmulI8', 'MlpI8', 'MandelbrotQ12', 'Stencil2dI32', 'SortU32', 'Sha256Batch'],
    );
  }
  const ofMatmul = await api.query.providers.kernelProviders('MatmulI8');
  assert.equal(ofMatmul.length, 12);
  assert.equal(providers.size, 12);
});

/** A new account holding `amount`, funded by Alice. */
async function newFundedAccount(api, amount) {
  const account = dev.keyring.addFromUri(mnemonicGenerate());
  const alice = dev.keyring.addFromUri('//Alice');
  const { error } = await sendAndWait(api, api.tx.balances.transferKeepAlive(account.address, amount), alice);
  assert.equal(error, null);
  return account;
}

const capabilities = {
  backend: 'Cpu',
  deviceName: 'e2e-test-device',
  memoryMib: 1024,
  kernels: ['SortU32', 'Sha256Batch'],
  maxConcurrentJobs: 2,
};

async function freeAndHeld(api, address) {
  const { data } = await api.query.system.account(address);
  const holds = await api.query.balances.holds(address);
  const held = holds.reduce((sum, hold) => sum + hold.amount.toBigInt(), 0n);
  return { free: data.free.toBigInt(), held };
}

function feePaid(api, events) {
  const paid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  return paid.event.data.actualFee.toBigInt();
}

test('a new account registers as a provider and sees the event', { timeout: 120_000 }, async () => {
  const { api } = dev.node;
  const provider = await newFundedAccount(api, 10_000n * UNIT);
  const stake = 200n * UNIT;

  const tx = api.tx.providers.register(stake, capabilities, '/ip4/127.0.0.1/tcp/45000', 5);
  const { events, error } = await sendAndWait(api, tx, provider);
  assert.equal(error, null);

  const registered = events.find(({ event }) => api.events.providers.Registered.is(event));
  assert.ok(registered, 'Registered event emitted');
  assert.equal(registered.event.data.provider.toString(), provider.address);
  assert.equal(registered.event.data.stake.toBigInt(), stake);

  const info = (await api.query.providers.providers(provider.address)).unwrap();
  assert.equal(info.endpoint.toUtf8(), '/ip4/127.0.0.1/tcp/45000');
  assert.equal(info.capabilities.deviceName.toUtf8(), 'e2e-test-device');
  assert.equal(info.pricePerWorkUnit.toBigInt(), 5n);
  const holds = await api.query.balances.holds(provider.address);
  assert.deepEqual(holds.map((hold) => hold.id.toJSON()), [{ providers: 'ProviderStake' }]);
  assert.equal(holds[0].amount.toBigInt(), stake);
});

test('bad registrations fail with named errors and move nothing but the fee', { timeout: 180_000 }, async () => {
  const { api } = dev.node;
  const provider = await newFundedAccount(api, 1_000n * UNIT);
  const endpoint = '/ip4/127.0.0.1/tcp/45001';
  const cases = [
    ['providers.StakeBelowMinimum', api.tx.providers.register(UNIT, capabilities, endpoint, 1)],
    ['providers.InsufficientBalance', api.tx.providers.register(5_000n * UNIT, capabilities, endpoint, 1)],
    ['providers.EndpointTooLong', api.tx.providers.register(100n * UNIT, capabilities, `/${'a'.repeat(300)}`, 1)],
    ['providers.TooManyKernels', api.tx.providers.register(
      100n * UNIT, { ...capabilities, kernels: Array(33).fill('SortU32') }, endpoint, 1)],
    ['providers.NotUnbonding', api.tx.providers.withdraw()],
  ];
  for (const [expected, tx] of cases) {
    if (expected === 'providers.NotUnbonding') {
      // Register for real first, so that withdrawing early is the only thing wrong.
      const { error } = await sendAndWait(api, api.tx.providers.register(100n * UNIT, capabilities, endpoint, 1), provider);
      assert.equal(error, null);
    }
    const before = await freeAndHeld(api, provider.address);
    const { events, error } = await sendAndWait(api, tx, provider);
    assert.equal(error, expected);
    const afterwards = await freeAndHeld(api, provider.address);
    assert.equal(afterwards.held, before.held, `${expected}: held balance unchanged`);
    assert.equal(afterwards.free, before.free - feePaid(api, events), `${expected}: only the fee was paid`);
  }
  // Registering twice is refused too.
  const { error } = await sendAndWait(api, api.tx.providers.register(100n * UNIT, capabilities, endpoint, 1), provider);
  assert.equal(error, 'providers.AlreadyRegistered');
});
