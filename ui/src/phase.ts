// A job's phase in the words the command line writes (worker/src/report.rs `phase`), pinned to
// it by tests/vectors/phases.json: the job page says what `concord job status` says of the
// phase (the CLI's line then adds why nobody takes a waiting job, and the assignees), but for
// amounts of 1,000 CORD or more, which the dashboard groups with commas.
import { FALLBACK_TOKEN, formatAmount, type Token } from './amount';

/** Why no provider took a job, as `concord --json` prints it. */
export interface UnassignedView {
  reason: string;
  listed?: number;
  at_capacity?: number;
  needed?: number;
  min_reward?: string;
  eligible?: number;
}

/** A phase as `concord --json` prints it (`report::phase_json`): its name and its fields. */
export interface PhaseView {
  name: string;
  until?: number;
  result_hash?: string;
  reason?: string;
  attested?: string;
  unassigned?: UnassignedView;
}

/** Why no provider takes a job, in words (`report::no_assignment`). */
export function noAssignmentWords(why: UnassignedView, token: Token = FALLBACK_TOKEN): string {
  switch (why.reason) {
    case 'NoProviderSupportsKernel':
      return 'no online provider runs this kernel';
    case 'AllAtCapacity':
      return `${why.at_capacity} of the ${why.listed} providers of this kernel are busy, and the draw needs ${why.needed} free`;
    case 'PriceTooLow':
      return `too few providers accept the reward; ${formatAmount(token, BigInt(why.min_reward ?? '0'))} per replica would do`;
    case 'PoolTooSmall':
      return `only ${why.eligible} providers could take it, and the draw needs a pool of ${why.needed}`;
    default:
      return why.reason;
  }
}

/** A phase in words: `committing until block #27`, `attested: 0xca09…`. */
export function phaseWords(phase: PhaseView, token: Token = FALLBACK_TOKEN): string {
  switch (phase.name) {
    case 'Queued':
      return `queued for providers until block #${phase.until}`;
    case 'Committing':
      return `committing until block #${phase.until}`;
    case 'Revealing':
      return `revealing until block #${phase.until}`;
    case 'Attested':
      return `attested: ${phase.result_hash}`;
    case 'Cancelled':
      return 'cancelled';
    case 'Failed':
      switch (phase.reason) {
        case 'NoQuorum':
          return 'failed: no result reached the quorum';
        case 'Unassigned':
          return `failed: never assigned (${noAssignmentWords(phase.unassigned ?? { reason: '' }, token)})`;
        case 'Contested':
          return `failed: contested (a panel attested ${phase.attested}, but more assignees revealed another result; nobody was slashed)`;
        case 'InputUnavailable':
          return 'failed: its remote input was not available (too many assignees declined it; nobody was slashed)';
        default:
          return `failed: ${phase.reason}`;
      }
    default:
      return phase.name;
  }
}

/** The chain's phase, as @polkadot/api decodes it, as `concord --json` prints it. */
export function phaseView(phase: any): PhaseView {
  if (phase.isQueued) return { name: 'Queued', until: phase.asQueued.until.toNumber() };
  if (phase.isCommitting) return { name: 'Committing', until: phase.asCommitting.until.toNumber() };
  if (phase.isRevealing) return { name: 'Revealing', until: phase.asRevealing.until.toNumber() };
  if (phase.isAttested)
    return { name: 'Attested', result_hash: phase.asAttested.resultHash.toHex() };
  if (!phase.isFailed) return { name: phase.type };
  const reason = phase.asFailed.reason;
  if (reason.isContested)
    return { name: 'Failed', reason: 'Contested', attested: reason.asContested.attested.toHex() };
  if (!reason.isUnassigned) return { name: 'Failed', reason: reason.type };
  const why = reason.asUnassigned;
  const unassigned: UnassignedView = { reason: why.type };
  if (why.isAllAtCapacity) {
    const { listed, atCapacity, needed } = why.asAllAtCapacity;
    Object.assign(unassigned, {
      listed: listed.toNumber(),
      at_capacity: atCapacity.toNumber(),
      needed: needed.toNumber(),
    });
  } else if (why.isPriceTooLow) {
    unassigned.min_reward = why.asPriceTooLow.minReward.toString();
  } else if (why.isPoolTooSmall) {
    const { eligible, needed } = why.asPoolTooSmall;
    Object.assign(unassigned, { eligible: eligible.toNumber(), needed: needed.toNumber() });
  }
  return { name: 'Failed', reason: 'Unassigned', unassigned };
}

/** The phase's name, with a failure's reason: what the market's table shows. */
export function phaseName(phase: PhaseView): string {
  return phase.name === 'Failed' ? `Failed: ${phase.reason}` : phase.name;
}
