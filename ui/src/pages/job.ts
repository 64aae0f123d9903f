// A job's page: its terms and phase, the timeline of its events from submission to verdict,
// and once attested its output, fetched from an agreeing provider's gateway, checked against
// the attested hash, drawn, and offered for download.
import type { Context } from '../context';
import { formatAmount } from '../chain';
import { accountLink, h, table } from '../dom';
import { kernelById, showParams } from '../kernels';
import { fetchVerified, gatewayUrl, grantHex, grantMessage, render } from '../output';
import { phaseView, phaseWords } from '../phase';
import { decodeAddress } from '@polkadot/util-crypto';
import type { ApiPromise } from '@polkadot/api';

/** A job as the page shows it, read from the chain's `JobInfo`. */
export interface JobView {
  id: number;
  requester: string;
  kernel: string;
  params: number[];
  replicas: number;
  quorum: number;
  reward: bigint;
  phase: any;
  assignees: {
    provider: string;
    round: number;
    committed: boolean;
    revealed: string | null;
    declined: boolean;
    outcome: string | null;
  }[];
  escrow: bigint;
  paid: bigint;
  submittedAt: number;
  endedAt: number | null;
}

export function readJob(id: number, info: any): JobView {
  return {
    id,
    requester: info.requester.toString(),
    kernel: info.spec.kernel.type,
    params: info.spec.params.map((p: any) => p.toNumber()),
    replicas: info.spec.replicas.toNumber(),
    quorum: info.spec.quorum.toNumber(),
    reward: info.spec.reward.toBigInt(),
    phase: info.phase,
    assignees: info.assignees.map((a: any) => ({
      provider: a.provider.toString(),
      round: a.round.toNumber(),
      committed: a.commitment.isSome,
      revealed: a.revealed.isSome ? a.revealed.unwrap().toHex() : null,
      declined: a.declined.isTrue,
      outcome: a.outcome.isSome ? a.outcome.unwrap().type : null,
    })),
    escrow: info.escrow.toBigInt(),
    paid: info.paid.toBigInt(),
    submittedAt: info.submittedAt.toNumber(),
    endedAt: info.endedAt.isSome ? info.endedAt.unwrap().toNumber() : null,
  };
}

/** The oldest blocks whose events a node keeps by default (its state pruning). */
const TIMELINE_BLOCKS = 256;

/** The job's events in blocks `from..=to` (at most the last TIMELINE_BLOCKS), oldest first. */
async function timeline(api: ApiPromise, id: number, from: number, to: number) {
  const start = Math.max(from, to - TIMELINE_BLOCKS + 1);
  const blocks = Array.from({ length: to - start + 1 }, (_, i) => start + i);
  const perBlock = await Promise.all(
    blocks.map(async (block) => {
      const hash = await api.rpc.chain.getBlockHash(block);
      const events = await api.query.system.events.at(hash).catch(() => []);
      return (events as any[])
        .filter(
          ({ event }) => event.section === 'jobs' && (event.data as any).job?.toNumber() === id,
        )
        .map(({ event }) => ({ block, event }));
    }),
  );
  return { pruned: start > from, events: perBlock.flat() };
}

/** One event's fields in words, amounts in CORD. */
function describeEvent(context: Context, event: any): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const names = event.meta.fields.map((field: any) => field.name.toString());
  event.data.forEach((value: any, index: number) => {
    const name = names[index];
    if (name === 'job') return;
    parts.push(parts.length ? ', ' : '', `${name}: `);
    if (['provider', 'requester'].includes(name)) parts.push(accountLink(value.toString()));
    else if (name === 'providers')
      value.forEach((p: any, i: number) => parts.push(i ? ' ' : '', accountLink(p.toString())));
    else if (['amount', 'reward', 'escrow', 'fee'].includes(name))
      parts.push(formatAmount(context.chain, value.toBigInt()));
    else
      parts.push(
        value.toHuman?.() !== undefined ? JSON.stringify(value.toHuman()) : value.toString(),
      );
  });
  return parts;
}

export async function jobPage(context: Context, argument: string | undefined): Promise<void> {
  const { api } = context.chain;
  const id = Number(argument);
  const summary = h('section', { id: 'job-summary' });
  const assignees = h('section', {});
  const events = h('section', { id: 'timeline' });
  const output = h('section', { id: 'output' });
  context.root.append(h('h1', {}, `Job #${id}`), summary, assignees, events, output);
  let fetched = false;

  const draw = async (head: number) => {
    const record = await api.call.jobsApi.job(id);
    if ((record as any).isNone) {
      summary.replaceChildren(
        h(
          'p',
          { class: 'error' },
          `There is no job #${id} on this chain (or it ended long enough ago to be pruned).`,
        ),
      );
      return;
    }
    const job = readJob(id, (record as any).unwrap());
    const kernel = kernelById(job.kernel);
    summary.replaceChildren(
      h(
        'dl',
        {},
        h('dt', {}, 'Phase'),
        h('dd', { id: 'phase' }, phaseWords(phaseView(job.phase), context.chain)),
        h('dt', {}, 'Kernel'),
        h('dd', {}, `${kernel?.name ?? job.kernel} [${showParams(job.kernel, job.params)}]`),
        h('dt', {}, 'Requester'),
        h('dd', {}, accountLink(job.requester)),
        h('dt', {}, 'Replicas, quorum'),
        h('dd', {}, `${job.replicas}, ${job.quorum}`),
        h('dt', {}, 'Reward each'),
        h('dd', {}, formatAmount(context.chain, job.reward)),
        h('dt', {}, 'Held in escrow'),
        h('dd', {}, formatAmount(context.chain, job.escrow)),
        h('dt', {}, 'Paid'),
        h('dd', {}, formatAmount(context.chain, job.paid)),
        h('dt', {}, 'Submitted, ended'),
        h('dd', {}, `#${job.submittedAt}${job.endedAt === null ? '' : `, #${job.endedAt}`}`),
      ),
    );
    assignees.replaceChildren(
      h('h2', {}, 'Assigned providers'),
      table(
        ['Provider', 'Round', 'Committed', 'Revealed', 'Outcome'],
        job.assignees.map((a) => [
          accountLink(a.provider),
          a.round,
          a.declined ? 'declined' : a.committed ? 'yes' : 'no',
          a.revealed ? `${a.revealed.slice(0, 10)}…` : '',
          a.outcome ?? '',
        ]),
        'assignees',
      ),
    );
    const { pruned, events: found } = await timeline(api, id, job.submittedAt, job.endedAt ?? head);
    events.replaceChildren(
      h('h2', {}, 'Timeline'),
      pruned ? h('p', { class: 'muted' }, "Earlier events are pruned from the node's state.") : '',
      h(
        'ol',
        {},
        ...found.map(({ block, event }) =>
          h(
            'li',
            { 'data-event': event.method },
            h('b', {}, `#${block} ${event.method}`),
            ' ',
            ...describeEvent(context, event),
          ),
        ),
      ),
    );
    if (job.phase.isAttested && !fetched) {
      fetched = true;
      await showOutput(context, job, job.phase.asAttested.resultHash.toHex(), output);
    }
  };
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  await draw(head);
  context.onHead((block) => void draw(block));
}

/** Fetches, checks and shows an attested job's output, signing a grant as the requester. */
async function showOutput(
  context: Context,
  job: JobView,
  hash: string,
  into: HTMLElement,
): Promise<void> {
  const { api } = context.chain;
  into.replaceChildren(h('h2', {}, 'Output'));
  const account = context.account();
  if (!account || account.address !== job.requester) {
    into.append(
      h(
        'p',
        { class: 'muted' },
        "Only the requester (or whoever holds a grant it signed) may read the output: choose the requester's account above.",
      ),
    );
    return;
  }
  const agreeing = job.assignees.filter((a) => a.revealed === hash);
  const gateways: string[] = [];
  for (const assignee of agreeing) {
    const record = await api.query.providers.providers(assignee.provider);
    const endpoint = (record as any).isSome ? (record as any).unwrap().endpoint.toUtf8() : '';
    const url = gatewayUrl(endpoint);
    if (url) gateways.push(url);
  }
  into.append(h('p', { class: 'muted' }, `fetching from ${gateways.length} agreeing provider(s)…`));
  try {
    const grant = grantHex(
      decodeAddress(account.address),
      await account.signBytes(grantMessage(hash)),
    );
    // Providers serve an output once they have seen its verdict: give them a few blocks.
    let result: { bytes: Uint8Array; from: string } | undefined;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 5 && !result; attempt++) {
      try {
        result = await fetchVerified(gateways, hash, grant);
      } catch (error) {
        lastError = error as Error;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    if (!result) throw lastError ?? new Error('no output');
    const { bytes, from } = result;
    const download = h(
      'a',
      {
        href: URL.createObjectURL(new Blob([bytes as BlobPart])),
        download: `job-${job.id}-${hash.slice(2, 10)}.bin`,
        id: 'download',
      },
      `Download (${bytes.length} bytes)`,
    );
    into.replaceChildren(
      h('h2', {}, 'Output'),
      h(
        'p',
        { id: 'verified', class: 'ok' },
        `${bytes.length} bytes from ${from}, checked: their BLAKE2b-256 is the attested ${hash.slice(0, 10)}…`,
      ),
      render(job.kernel, job.params, bytes) ?? '',
      h('p', {}, download),
    );
  } catch (error) {
    into.append(h('p', { class: 'error', id: 'output-error' }, (error as Error).message));
  }
}
