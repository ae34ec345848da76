import { AppError } from '../http/app-error.js';
import { assertPermitted } from '../secrets/secret-caller.js';
import type { Logger } from '../logs/logger.js';
import type { BatchCreators } from './batch-creator.js';
import type { Claim, ItemClaims, Outcome } from './item-claims.js';
import type { JobsRepository } from './jobs.repository.js';
import type { OperationRegistry } from './operations/index.js';

export interface ItemRef {
  batchId: string;
  seq: number;
}

export interface ItemRunnerDeps {
  claims: ItemClaims;
  repo: JobsRepository;
  creators: BatchCreators;
  operations: OperationRegistry;
  /** This instance (instance-id.ts): the lease owner. */
  owner: string;
  leaseMs: number;
  log: Pick<Logger, 'warn' | 'info'>;
  /** Told when a batch ended (completed, failed). */
  onSettled?: (batchId: string, status: string) => void;
}

/** Codes that another attempt would not change. */
const PERMANENT = new Set(['forbidden', 'validation', 'not_found', 'unauthorized', 'bad_request']);

function outcomeOf(err: unknown): Outcome {
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, error: message.slice(0, 2000), retry: !(err instanceof AppError && PERMANENT.has(err.code)) };
}

/**
 * Runs one item, whatever handed it over (the embedded loop or a BullMQ worker): claims it in the
 * database (nothing happens if it is not claimable: taken, not due, batch over or at its concurrency),
 * renews the lease every third of its length while the operation runs, stops the operation when the
 * lease is lost or the batch cancelled, and records the outcome only if this attempt still holds the item.
 */
export function createItemRunner(deps: ItemRunnerDeps) {
  const running = new Map<string, AbortController>();
  let stopping = false;
  const keyOf = (r: ItemRef) => `${r.batchId}:${r.seq}`;

  async function execute(claim: Claim, abort: AbortController): Promise<void> {
    const batch = await deps.repo.findBatch(claim.batchId);
    if (!batch) return;
    const timer = setInterval(() => {
      void deps.claims.renew(claim, deps.leaseMs).then(
        (ok) => ok || abort.abort(new AppError('conflict', 'the item is no longer held (cancelled, or its lease expired)')),
        (err: unknown) => deps.log.warn({ err, batch: claim.batchId, seq: claim.seq }, 'job item lease renewal failed'),
      );
    }, Math.max(50, Math.floor(deps.leaseMs / 3)));
    timer.unref();
    let outcome: Outcome;
    try {
      const op = deps.operations.get(batch.operation);
      if (!op) throw new AppError('validation', `unknown operation '${batch.operation}'`);
      const runAs = await deps.creators.runAs(batch);
      for (const p of op.permissions) assertPermitted(runAs.caller, p);
      const result = await op.run(JSON.parse(batch.params), JSON.parse(claim.input), { ...runAs, signal: abort.signal });
      outcome = { ok: true, result };
    } catch (err) {
      outcome = outcomeOf(err);
    } finally {
      clearInterval(timer);
    }
    if (abort.signal.aborted) {
      // Stopping: the item goes back to the queue now rather than when its lease expires.
      if (stopping) await deps.claims.release(claim).catch(() => false);
      return;
    }
    const recorded = await deps.claims.finish(claim, outcome, batch);
    if (!recorded) return;
    const settled = await deps.repo.settle(claim.batchId, new Date().toISOString());
    if (settled) deps.onSettled?.(claim.batchId, settled);
  }

  return {
    /** Items this instance runs now. */
    inFlight: () => running.size,
    isRunning: (r: ItemRef) => running.has(keyOf(r)),

    /** Claims and runs the item; resolves when done (false: it was not claimable). */
    async tryRun(ref: ItemRef): Promise<boolean> {
      const key = keyOf(ref);
      if (running.has(key)) return false;
      const claim = await deps.claims.claim(ref.batchId, ref.seq, deps.owner, deps.leaseMs);
      if (!claim) return false;
      if (stopping) {
        await deps.claims.release(claim);
        return false;
      }
      const abort = new AbortController();
      running.set(key, abort);
      try {
        await execute(claim, abort);
      } finally {
        running.delete(key);
      }
      return true;
    },

    /** Stops this instance's attempts of the batch at once (other instances see the cancel at their next renewal). */
    abortBatch(batchId: string): void {
      for (const [key, abort] of running) if (key.startsWith(`${batchId}:`)) abort.abort(new AppError('conflict', 'batch cancelled'));
    },

    /** Stops every attempt (platform stop): their leases expire and another start claims them again. */
    abortAll(): void {
      stopping = true;
      for (const abort of running.values()) abort.abort(new AppError('unavailable', 'the platform is stopping'));
    },
  };
}

export type ItemRunner = ReturnType<typeof createItemRunner>;
