// The market: every provider and job, redrawn at each new block, and two charts: jobs settled
// per block, and blocks from submission to verdict.
import type { Context } from '../context';
import { formatAmount } from '../chain';
import { accountLink, barChart, h, table } from '../dom';
import { kernelById } from '../kernels';
import { type JobView, readJob } from './job';
import { phaseName, phaseView } from '../phase';

/** How many recent blocks the settled-jobs chart covers. */
const CHART_BLOCKS = 30;
/** How many jobs the table shows, newest first. */
const SHOWN_JOBS = 100;

export async function marketPage(context: Context): Promise<void> {
  const { api } = context.chain;
  const providers = h('section', {}, h('h2', {}, 'Providers'));
  const jobs = h('section', {}, h('h2', {}, 'Jobs'));
  const charts = h('section', { class: 'charts' });
  context.root.append(h('h1', {}, 'Market'), providers, charts, jobs);

  // Jobs settled (attested or failed) in each of the last blocks, filled in backwards at
  // first, then one block at a time.
  const settled = new Map<number, number>();
  const countSettled = async (block: number) => {
    const hash = await api.rpc.chain.getBlockHash(block);
    const events = await api.query.system.events.at(hash);
    settled.set(
      block,
      (events as any).filter(
        ({ event }: any) =>
          event.section === 'jobs' && (event.method === 'Attested' || event.method === 'Failed'),
      ).length,
    );
  };
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  await Promise.all(
    Array.from({ length: Math.min(CHART_BLOCKS, best + 1) }, (_, i) => countSettled(best - i)),
  );

  const draw = async (head: number) => {
    const [providerEntries, jobEntries] = await Promise.all([
      api.query.providers.providers.entries(),
      api.query.jobs.jobs.entries(),
    ]);
    providers.replaceChildren(
      h('h2', {}, `Providers (${providerEntries.length})`),
      table(
        [
          'Account',
          'Status',
          'Stake',
          'Price / work unit',
          'Kernels',
          'Jobs / capacity',
          'Reputation (agreed, deviated, no-shows)',
          'Device',
        ],
        providerEntries.map(([key, record]) => {
          const info = (record as any).unwrap();
          const capabilities = info.capabilities;
          const reputation = info.reputation;
          return [
            accountLink(key.args[0].toString()),
            info.status.isUnbonding
              ? `Unbonding until #${info.status.asUnbonding.unlockAt}`
              : info.status.type,
            formatAmount(context.chain, info.stake.toBigInt()),
            formatAmount(context.chain, info.pricePerWorkUnit.toBigInt()),
            capabilities.kernels.map((k: any) => kernelById(k.type)?.name ?? k.type).join(', '),
            `${info.activeJobs} / ${capabilities.maxConcurrentJobs}`,
            `${reputation.agreed}, ${reputation.deviated}, ${reputation.noShows}`,
            `${capabilities.deviceName.toUtf8()} (${capabilities.backend.type}, ${capabilities.memoryMib} MiB)`,
          ];
        }),
        'providers',
      ),
    );

    const views: JobView[] = jobEntries
      .map(([key, record]) => readJob((key.args[0] as any).toNumber(), (record as any).unwrap()))
      .sort((a, b) => b.id - a.id);
    jobs.replaceChildren(
      h('h2', {}, `Jobs (${views.length})`),
      table(
        ['Job', 'Kernel', 'Requester', 'Phase', 'Providers', 'Reward each', 'Submitted', 'Ended'],
        views
          .slice(0, SHOWN_JOBS)
          .map((job) => [
            h('a', { href: `#/job/${job.id}` }, `#${job.id}`),
            kernelById(job.kernel)?.name ?? job.kernel,
            accountLink(job.requester),
            phaseName(phaseView(job.phase)),
            `${job.assignees.length} of ${job.replicas}`,
            formatAmount(context.chain, job.reward),
            `#${job.submittedAt}`,
            job.endedAt === null ? '' : `#${job.endedAt}`,
          ]),
        'jobs',
      ),
    );

    const blocks = Array.from(
      { length: CHART_BLOCKS },
      (_, i) => head - CHART_BLOCKS + 1 + i,
    ).filter((b) => b >= 0);
    const ended = views
      .filter((job) => job.endedAt !== null)
      .slice(0, CHART_BLOCKS)
      .reverse();
    charts.replaceChildren(
      barChart(
        'Jobs settled per block',
        blocks.map((b) => ({ label: `#${b}`, value: settled.get(b) ?? 0 })),
        'settled-chart',
      ),
      barChart(
        'Blocks from submission to verdict',
        ended.map((job) => ({
          label: `#${job.id}`,
          value: (job.endedAt ?? 0) - job.submittedAt,
        })),
        'latency-chart',
      ),
    );
  };
  await draw(best);
  context.onHead((block) => {
    void countSettled(block).then(() => draw(block));
  });
}
