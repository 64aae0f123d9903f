// Submitting a job: a kernel and its params, priced by the chain's quote runtime API before
// anything is signed (which also checks the params, replicas and quorum as `submit` does, and
// bounds the chance that a coalition takes a quorum), an input file hashed in the page; the
// chain's dispatch error by name if it refuses.
import type { Context } from '../context';
import { formatAmount, parseAmount, send } from '../chain';
import { h } from '../dom';
import { KERNELS, kernelById, parseParams } from '../kernels';
import { DEFAULT_REPLICAS, majority } from '../quorum';
import { blake2AsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

/** A Perbill (parts per billion) in percent, as the command line prints it: a share rounded
 * down (`33.33 %`), a bound rounded up so that it stays a bound. */
const percent = (share: any, round = Math.floor) =>
  `${(round(share.toNumber() / 100_000) / 100).toFixed(2)} %`;

/** The commit window the command line asks for unless the work needs longer
 * (`DEFAULT_COMMIT_WINDOW` in worker/src/requester.rs: keep the two equal). */
const DEFAULT_COMMIT_WINDOW = 20;
/** The reveal window the command line asks for (`DEFAULT_REVEAL_WINDOW`, same file). */
const DEFAULT_REVEAL_WINDOW = 10;

export async function submitPage(context: Context): Promise<void> {
  const { api } = context.chain;
  const field = (id: string, label: string, input: HTMLElement, hint = '') =>
    h(
      'p',
      {},
      h('label', { for: id }, label),
      ' ',
      input,
      hint ? h('span', { class: 'muted' }, ` ${hint}`) : null,
    );
  const kernel = h(
    'select',
    { id: 'kernel' },
    ...KERNELS.map((k) => h('option', { value: k.id }, k.name)),
  );
  const params = h('input', { id: 'params', size: '32', spellcheck: 'false' });
  const paramsHint = h('span', { class: 'muted' });
  const replicas = h('input', {
    id: 'replicas',
    type: 'number',
    min: '1',
    value: String(DEFAULT_REPLICAS),
  });
  const quorum = h('input', {
    id: 'quorum',
    type: 'number',
    min: '1',
    value: String(majority(DEFAULT_REPLICAS)),
  });
  const reward = h('input', { id: 'reward', size: '20' });
  const commitWindow = h('input', { id: 'commit-window', type: 'number', min: '1' });
  const revealWindow = h('input', {
    id: 'reveal-window',
    type: 'number',
    min: '1',
    value: String(DEFAULT_REVEAL_WINDOW),
  });
  const file = h('input', { id: 'input-file', type: 'file' });
  const fileHash = h('span', { id: 'input-hash', class: 'muted' });
  const inputHint = h('span', { class: 'muted' });
  const quote = h('div', { id: 'quote' });
  const button = h('button', { id: 'submit', type: 'submit' }, 'Sign and submit');
  const outcome = h('div', { id: 'outcome' });
  const form = h(
    'form',
    { id: 'submit-form' },
    field('kernel', 'Kernel', kernel),
    h('p', {}, h('label', { for: 'params' }, 'Params'), ' ', params, ' ', paramsHint),
    h('p', {}, h('label', { for: 'input-file' }, 'Input'), ' ', file, ' ', inputHint),
    h('p', {}, fileHash),
    field('replicas', 'Replicas', replicas, 'providers drawn at random to run it'),
    field('quorum', 'Quorum', quorum, 'matching results needed (more than half)'),
    field(
      'reward',
      'Reward per replica',
      reward,
      `e.g. 0.5${context.chain.symbol}, or in the smallest unit`,
    ),
    field('commit-window', 'Commit window', commitWindow, 'blocks to compute and commit'),
    field('reveal-window', 'Reveal window', revealWindow, 'blocks then to reveal'),
    quote,
    button,
    outcome,
  );
  context.root.append(h('h1', {}, 'Submit a job'), form);

  let input = new Uint8Array();
  let quoted: any = null;
  /** Asks the chain to price (and so to check) what the form says now. */
  const requote = async () => {
    quoted = null;
    let values: number[];
    try {
      values = parseParams(params.value);
    } catch (error) {
      quote.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
      return;
    }
    const answer: any = await api.call.jobsApi.quote(
      kernel.value,
      values,
      Number(replicas.value),
      Number(quorum.value),
    );
    if (answer.isErr) {
      quote.replaceChildren(
        h(
          'p',
          { class: 'error', id: 'quote-error' },
          `The chain refuses this job: ${answer.asErr.type} (checked by its quote, before signing)`,
        ),
      );
      return;
    }
    quoted = answer.asOk;
    const inputLen = quoted.inputLen.toNumber();
    const minReward = quoted.minReward.isOk ? quoted.minReward.asOk.toBigInt() : null;
    if (minReward !== null && !reward.dataset.edited)
      reward.value = formatAmount(context.chain, minReward).replace(/[ ,]/g, '');
    if (!commitWindow.dataset.edited)
      commitWindow.value = String(
        Math.max(DEFAULT_COMMIT_WINDOW, quoted.minCommitWindow.toNumber()),
      );
    // An input too large to ride on chain is remote: priced here, served by the CLI
    // (`concord job submit --input FILE`), since a browser tab cannot serve it until the job ends.
    const inline = quoted.inlineDeposit.isSome
      ? formatAmount(context.chain, quoted.inlineDeposit.unwrap().toBigInt())
      : `${formatAmount(context.chain, quoted.remoteDeposit.toBigInt())} as a remote input, which the concord CLI serves: concord job submit --input FILE`;
    quote.replaceChildren(
      h(
        'dl',
        {},
        h('dt', {}, 'Work units'),
        h('dd', {}, quoted.workUnits.toString()),
        h('dt', {}, 'Least reward with a full pool'),
        h(
          'dd',
          { id: 'min-reward' },
          minReward === null
            ? `none now: ${quoted.minReward.asErr.type}`
            : formatAmount(context.chain, minReward),
        ),
        h('dt', {}, 'Pool at that reward'),
        h(
          'dd',
          {},
          `${quoted.pool} providers (${quoted.poolNeeded} needed), holding `,
          h('span', { id: 'pool-share' }, percent(quoted.poolShare)),
          ' of the weight of every provider who could take it (half needed)',
        ),
        h('dt', {}, 'Chance a coalition takes a quorum'),
        h(
          'dd',
          {},
          h(
            'ul',
            { id: 'capture' },
            ...quoted.capture.map((c: any) =>
              h(
                'li',
                {},
                `with ${percent(c.coalition)} of the weight: at most ${percent(c.chance, Math.ceil)}`,
              ),
            ),
          ),
        ),
        h('dt', {}, 'Input, output'),
        h('dd', {}, `${inputLen} bytes (deposit ${inline}), ${quoted.outputLen} bytes`),
        h('dt', {}, 'Commit window'),
        h(
          'dd',
          { id: 'commit-windows' },
          `${quoted.minCommitWindow} to ${quoted.maxCommitWindow} blocks`,
        ),
      ),
    );
    if (inputLen !== input.length) {
      quote.append(
        h(
          'p',
          { class: 'error' },
          `These params take ${inputLen} input bytes; the input has ${input.length}.`,
        ),
      );
    }
  };

  const chooseKernel = () => {
    const chosen = kernelById(kernel.value)!;
    params.value = chosen.example;
    paramsHint.textContent = chosen.params;
    (file as HTMLInputElement).disabled = chosen.input === null;
    inputHint.textContent = chosen.input ?? 'none: this kernel takes no input';
    void requote();
  };
  kernel.addEventListener('change', chooseKernel);
  // Until edited, the quorum follows the replicas as the command line's default does.
  replicas.addEventListener('input', () => {
    const count = Number((replicas as HTMLInputElement).value);
    if (!quorum.dataset.edited && Number.isInteger(count) && count > 0)
      (quorum as HTMLInputElement).value = String(majority(count));
  });
  for (const input of [params, replicas, quorum])
    input.addEventListener('input', () => void requote());
  for (const input of [reward, commitWindow, quorum])
    input.addEventListener('input', () => {
      input.dataset.edited = 'yes';
    });
  file.addEventListener('change', async () => {
    const chosen = (file as HTMLInputElement).files?.[0];
    input = chosen ? new Uint8Array(await chosen.arrayBuffer()) : new Uint8Array();
    fileHash.textContent = chosen
      ? `${input.length} bytes, BLAKE2b-256 ${blake2AsHex(input, 256)}`
      : '';
    void requote();
  });
  chooseKernel();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    outcome.replaceChildren();
    const account = context.account();
    if (!account)
      return void outcome.append(h('p', { class: 'error' }, 'Choose an account to sign with.'));
    await requote();
    if (!quoted)
      return void outcome.append(
        h(
          'p',
          { class: 'error', id: 'submit-error' },
          'Not submitted: the chain refuses these params (see above).',
        ),
      );
    if (quoted.inlineDeposit.isNone) {
      return void outcome.append(
        h(
          'p',
          { class: 'error', id: 'submit-error' },
          'Not submitted: this input is too large to send inline, and this page does not serve remote inputs; submit it with concord job submit --input FILE.',
        ),
      );
    }
    let amount: bigint;
    try {
      amount = parseAmount(context.chain, reward.value);
    } catch (error) {
      return void outcome.append(
        h('p', { class: 'error', id: 'submit-error' }, (error as Error).message),
      );
    }
    const tx = api.tx.jobs.submit(
      kernel.value,
      parseParams(params.value),
      { Inline: u8aToHex(input) },
      Number(replicas.value),
      Number(quorum.value),
      amount,
      Number(commitWindow.value),
      Number(revealWindow.value),
    );
    button.disabled = true;
    outcome.append(h('p', { class: 'muted' }, `signing as ${account.name}…`));
    try {
      const { events, error } = await send(api, tx, await account.signing());
      const fee = events.find(
        ({ event }) =>
          event.section === 'transactionPayment' && event.method === 'TransactionFeePaid',
      );
      const feeText = fee
        ? ` (fee ${formatAmount(context.chain, (fee.event.data as any).actualFee.toBigInt())})`
        : '';
      if (error) {
        outcome.replaceChildren(
          h(
            'p',
            { class: 'error', id: 'submit-error' },
            `The chain refused the job: ${error}${feeText}`,
          ),
        );
        return;
      }
      const submitted = events.find(
        ({ event }) => event.section === 'jobs' && event.method === 'Submitted',
      );
      const id = (submitted!.event.data as any).job.toNumber();
      outcome.replaceChildren(
        h(
          'p',
          { class: 'ok', id: 'submitted' },
          'Submitted ',
          h('a', { href: `#/job/${id}` }, `job #${id}`),
          feeText,
        ),
      );
    } catch (error) {
      outcome.replaceChildren(
        h('p', { class: 'error', id: 'submit-error' }, (error as Error).message),
      );
    } finally {
      button.disabled = false;
    }
  });
}
