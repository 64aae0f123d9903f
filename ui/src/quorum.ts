// How many matching results a job needs unless told otherwise, as the command line takes it
// (`majority` in primitives/src/market/verdict.rs), pinned to it by tests/vectors/majority.json.

/** The replicas `concord job submit` asks for unless told otherwise. */
export const DEFAULT_REPLICAS = 3;

/** The least majority of `replicas`: more than half, so two results can never both reach it. */
export function majority(replicas: number): number {
  return Math.floor(replicas / 2) + 1;
}
