import type { ItemClaims } from './item-claims.js';
import type { ItemRunner } from './item-runner.js';
import type { JobQueue } from './job-queue.js';
import { createPollLoop } from './poll-loop.js';

export interface EmbeddedQueueDeps {
  claims: ItemClaims;
  runner: ItemRunner;
  /** Items this instance runs at once, over all batches. */
  concurrency: number;
  pollMs: number;
  onError: (err: unknown) => void;
}

/** The default queue: the database is the queue; this instance claims and runs what is due. */
export function createEmbeddedQueue(deps: EmbeddedQueueDeps): JobQueue {
  const inFlight = new Set<Promise<unknown>>();
  const loop = createPollLoop(async () => {
    const free = deps.concurrency - deps.runner.inFlight();
    if (free <= 0) return;
    let started = 0;
    for (const ref of await deps.claims.claimable(free)) {
      if (started >= free) break;
      if (deps.runner.isRunning(ref)) continue;
      const claimed = deps.runner.tryRun(ref).catch((err: unknown) => {
        deps.onError(err);
        return false;
      });
      inFlight.add(claimed);
      // Each item run frees a slot: look again (not after a refused claim, which would spin).
      void claimed.then((ran) => {
        inFlight.delete(claimed);
        if (ran) loop.kick();
      });
      started++;
    }
  }, deps.pollMs, deps.onError);

  return {
    mode: 'embedded',
    start: async () => loop.start(),
    kick: () => loop.kick(),
    async close() {
      await loop.stop();
      deps.runner.abortAll();
      await Promise.allSettled([...inFlight]);
    },
  };
}
