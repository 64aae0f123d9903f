// A provider's page: its record (stake, status, unbonding, capacity, reputation) and, when it
// is the chosen account's own, the calls that manage it: register, update, go offline or
// online, unregister, withdraw. Each shows the chain's answer, errors by name.
import type { Context } from '../context';
import { formatAmount, parseAmount, send } from '../chain';
import { h } from '../dom';
import { KERNELS, kernelById } from '../kernels';
import type { SubmittableExtrinsic } from '@polkadot/api/types';

export async function providerPage(context: Context, argument: string | undefined): Promise<void> {
  const { api } = context.chain;
  const address = argument ?? context.account()?.address;
  if (!address) {
    context.root.append(h('p', { class: 'error' }, 'Choose an account above.'));
    return;
  }
  const own = address === context.account()?.address;
  const record = h('section', { id: 'provider-record' });
  const actions = h('section', { id: 'provider-actions' });
  const outcome = h('div', { id: 'outcome' });
  context.root.append(
    h('h1', {}, own ? 'My provider' : 'Provider'),
    h('p', { class: 'account-full' }, address),
    record,
    actions,
    outcome,
  );

  /** Sends `tx` as the chosen account and says how it went. */
  const act = async (what: string, tx: SubmittableExtrinsic<'promise'>) => {
    const account = context.account();
    if (!account) return;
    outcome.replaceChildren(h('p', { class: 'muted' }, `${what}: signing as ${account.name}…`));
    try {
      const { error } = await send(api, tx, await account.signing());
      outcome.replaceChildren(
        error
          ? h(
              'p',
              { class: 'error', id: 'action-error' },
              `${what}: the chain refused it: ${error}`,
            )
          : h('p', { class: 'ok', id: 'action-done' }, `${what}: done`),
      );
    } catch (error) {
      outcome.replaceChildren(
        h('p', { class: 'error', id: 'action-error' }, `${what}: ${(error as Error).message}`),
      );
    }
    await draw();
  };
  const button = (id: string, label: string, tx: () => SubmittableExtrinsic<'promise'>) =>
    h('button', { id, type: 'button', onclick: () => void act(label, tx()) }, label);

  // The forms are redrawn only when the provider's status changes, so that a new block does
  // not wipe what is being typed into them.
  let drawnFor: string | undefined;
  const draw = async () => {
    const found: any = await api.query.providers.providers(address);
    if (found.isNone) {
      record.replaceChildren(h('p', { id: 'status' }, 'Not a registered provider.'));
      if (drawnFor !== 'none') actions.replaceChildren(own ? registerForm(context, act) : '');
      drawnFor = 'none';
      return;
    }
    const info = found.unwrap();
    const status = info.status.isUnbonding
      ? `Unbonding: the stake can be withdrawn from block #${info.status.asUnbonding.unlockAt} once no job is open`
      : info.status.type;
    const capabilities = info.capabilities;
    record.replaceChildren(
      h(
        'dl',
        {},
        h('dt', {}, 'Status'),
        h('dd', { id: 'status' }, status),
        h('dt', {}, 'Stake'),
        h('dd', { id: 'stake' }, formatAmount(context.chain, info.stake.toBigInt())),
        h('dt', {}, 'Price per work unit'),
        h('dd', {}, formatAmount(context.chain, info.pricePerWorkUnit.toBigInt())),
        h('dt', {}, 'Kernels'),
        h(
          'dd',
          {},
          capabilities.kernels.map((k: any) => kernelById(k.type)?.name ?? k.type).join(', '),
        ),
        h('dt', {}, 'Jobs in progress'),
        h('dd', {}, `${info.activeJobs} of at most ${capabilities.maxConcurrentJobs}`),
        h('dt', {}, 'Awaiting a verdict'),
        h('dd', {}, `${info.awaitingVerdicts} (the stake stays bound until they are judged)`),
        h('dt', {}, 'Reputation'),
        h(
          'dd',
          {},
          `${info.reputation.agreed} agreed, ${info.reputation.deviated} deviated, ${info.reputation.noShows} no-shows`,
        ),
        h('dt', {}, 'Device'),
        h(
          'dd',
          {},
          `${capabilities.deviceName.toUtf8()} (${capabilities.backend.type}, ${capabilities.memoryMib} MiB)`,
        ),
        h('dt', {}, 'Endpoint'),
        h('dd', {}, info.endpoint.toUtf8()),
        h('dt', {}, 'Registered at'),
        h('dd', {}, `#${info.registeredAt}`),
      ),
    );
    if (!own) return actions.replaceChildren();
    if (drawnFor === info.status.type) return;
    drawnFor = info.status.type;
    const price = h('input', { id: 'new-price', size: '16', placeholder: 'unchanged' });
    const endpoint = h('input', { id: 'new-endpoint', size: '48', placeholder: 'unchanged' });
    const extra = h('input', {
      id: 'bond-extra',
      size: '16',
      placeholder: `e.g. 50${context.chain.symbol}`,
    });
    const amountOrNull = (input: HTMLInputElement) =>
      input.value.trim() ? parseAmount(context.chain, input.value) : null;
    actions.replaceChildren(
      h('h2', {}, 'Manage'),
      h(
        'p',
        {},
        info.status.isOnline
          ? button('go-offline', 'Go offline', () => api.tx.providers.goOffline())
          : null,
        info.status.isOffline
          ? button('go-online', 'Go online', () => api.tx.providers.goOnline())
          : null,
        ' ',
        info.status.isUnbonding
          ? button('withdraw', 'Withdraw', () => api.tx.providers.withdraw())
          : button('unregister', 'Unregister', () => api.tx.providers.unregister()),
      ),
      h(
        'p',
        {},
        h('label', {}, 'Price ', price),
        ' ',
        h('label', {}, 'Endpoint ', endpoint),
        ' ',
        button('update', 'Update', () =>
          api.tx.providers.update(null, endpoint.value.trim() || null, amountOrNull(price)),
        ),
      ),
      h(
        'p',
        {},
        h('label', {}, 'Add stake ', extra),
        ' ',
        button('bond-extra-button', 'Bond', () =>
          api.tx.providers.bondExtra(parseAmount(context.chain, extra.value)),
        ),
      ),
    );
  };
  await draw();
  context.onHead(() => void draw());
}

/** The form that registers the chosen account as a provider. */
function registerForm(
  context: Context,
  act: (what: string, tx: SubmittableExtrinsic<'promise'>) => Promise<void>,
): HTMLElement {
  const { api } = context.chain;
  const stake = h('input', { id: 'stake-input', value: `200${context.chain.symbol}`, size: '16' });
  const price = h('input', { id: 'price-input', value: '1', size: '16' });
  const endpoint = h('input', {
    id: 'endpoint-input',
    size: '48',
    value: '/ip4/127.0.0.1/tcp/40400,/ip4/127.0.0.1/tcp/41400/http',
  });
  const memory = h('input', { id: 'memory-input', type: 'number', value: '4096' });
  const maxJobs = h('input', { id: 'max-jobs-input', type: 'number', value: '4' });
  const backend = h(
    'select',
    { id: 'backend-input' },
    ...['Vulkan', 'Metal', 'Dx12', 'Cpu'].map((b) => h('option', {}, b)),
  );
  const kernels = KERNELS.map((k) =>
    h('label', {}, h('input', { type: 'checkbox', value: k.id, checked: true }), ` ${k.name} `),
  );
  const form = h(
    'form',
    { id: 'register-form' },
    h('h2', {}, 'Register'),
    h('p', {}, h('label', {}, 'Stake ', stake), ' ', h('label', {}, 'Price per work unit ', price)),
    h('p', {}, h('label', {}, 'Endpoint ', endpoint)),
    h(
      'p',
      {},
      h('label', {}, 'Backend ', backend),
      ' ',
      h('label', {}, 'Memory (MiB) ', memory),
      ' ',
      h('label', {}, 'Jobs at once ', maxJobs),
    ),
    h('p', {}, ...kernels),
    h('button', { type: 'submit', id: 'register' }, 'Register'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let tx;
    try {
      tx = api.tx.providers.register(
        parseAmount(context.chain, stake.value),
        {
          backend: backend.value,
          deviceName: 'registered from the dashboard',
          memoryMib: Number(memory.value),
          kernels: kernels
            .map((label) => label.querySelector('input')!)
            .filter((box) => box.checked)
            .map((box) => box.value),
          maxConcurrentJobs: Number(maxJobs.value),
        },
        endpoint.value.trim(),
        parseAmount(context.chain, price.value),
      );
    } catch (error) {
      form.append(h('p', { class: 'error' }, (error as Error).message));
      return;
    }
    void act('Register', tx);
  });
  return form;
}
