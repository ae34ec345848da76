import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { isPostgres } from '../db/migrations/dialect-helpers.js';
import { dbNowMs } from './db-clock.js';

/** An item held by a worker: which attempt it is (a completion must name it). */
export interface Claim {
  batchId: string;
  seq: number;
  owner: string;
  attempt: number;
  input: string;
}

/** How an attempt ended. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: string; retry: boolean };

/**
 * The queue's semantics, all in conditional statements on `job_items` so that several workers and
 * instances agree without any lock of their own:
 * - claim: a pending item whose backoff is over, or a running item whose lease expired, becomes
 *   running with this owner, a fresh lease and one more attempt; only while the batch runs and fewer
 *   than `concurrency` of its items hold a live lease;
 * - renew: only the owner of this attempt extends the lease;
 * - finish: only the owner of this attempt, while still running, records the outcome; a stale worker
 *   (its lease expired and the item claimed again) gets false, so no item completes twice.
 */
export function createItemClaims(db: Kysely<Database>) {
  const now = dbNowMs(db);
  const pg = isPostgres(db);
  const mine = (c: Claim) => (q: any) => q.where('batch_id', '=', c.batchId).where('seq', '=', c.seq).where('status', '=', 'running').where('lease_owner', '=', c.owner).where('attempts', '=', c.attempt);

  async function claimIn(trx: Kysely<Database>, batchId: string, seq: number, owner: string, leaseMs: number): Promise<Claim | null> {
    const live = trx.selectFrom('job_items as l').select(sql<number>`count(*)`.as('n')).where('l.batch_id', '=', batchId).where('l.status', '=', 'running').where('l.lease_expires_at', '>', now);
    const res = await trx
      .updateTable('job_items')
      .set((eb) => ({ status: 'running', lease_owner: owner, lease_expires_at: sql<number>`(${now} + ${Math.round(leaseMs)})`, attempts: eb('attempts', '+', 1), started_at: new Date().toISOString() }))
      .where('batch_id', '=', batchId)
      .where('seq', '=', seq)
      .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('next_run_at', '<=', now)]), eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<=', now)])]))
      .where((eb) => eb.exists(eb.selectFrom('job_batches').select('id').where('id', '=', batchId).where('status', '=', 'running')))
      .where((eb) => eb(live, '<', eb.selectFrom('job_batches').select('concurrency').where('id', '=', batchId)))
      .returning(['attempts', 'input'])
      .executeTakeFirst();
    return res ? { batchId, seq, owner, attempt: res.attempts, input: res.input } : null;
  }

  return {
    /** Items of running batches that can be claimed now (pending and due, or with an expired lease), within each batch's free concurrency, oldest batch first. */
    async claimable(limitPerBatch: number): Promise<{ batchId: string; seq: number }[]> {
      const batches = await db.selectFrom('job_batches').select(['id', 'concurrency']).where('status', '=', 'running').orderBy('created_at').execute();
      const out: { batchId: string; seq: number }[] = [];
      for (const b of batches) {
        const live = await db.selectFrom('job_items').select(sql<number>`count(*)`.as('n')).where('batch_id', '=', b.id).where('status', '=', 'running').where('lease_expires_at', '>', now).executeTakeFirst();
        const room = Math.min(limitPerBatch, b.concurrency - Number(live?.n ?? 0));
        if (room <= 0) continue;
        const rows = await db
          .selectFrom('job_items')
          .select('seq')
          .where('batch_id', '=', b.id)
          .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('next_run_at', '<=', now)]), eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<=', now)])]))
          .orderBy('seq')
          .limit(room)
          .execute();
        for (const r of rows) out.push({ batchId: b.id, seq: r.seq });
      }
      return out;
    },

    /**
     * Takes the item for `owner` for `leaseMs`; null when it is not claimable (taken, not due, batch
     * over, batch at its concurrency). On PostgreSQL the batch row is locked first, so concurrent
     * claims of one batch count each other's leases (SQLite runs one writer at a time anyway).
     */
    async claim(batchId: string, seq: number, owner: string, leaseMs: number): Promise<Claim | null> {
      // SQLite: one statement is atomic already (and a transaction across two connections of one process would deadlock).
      if (!pg) return claimIn(db, batchId, seq, owner, leaseMs);
      return db.transaction().execute(async (trx) => {
        await trx.selectFrom('job_batches').select('id').where('id', '=', batchId).forUpdate().execute();
        return claimIn(trx, batchId, seq, owner, leaseMs);
      });
    },


    /** Extends the lease of this attempt; false when it is no longer ours (expired and claimed again, cancelled). */
    async renew(c: Claim, leaseMs: number): Promise<boolean> {
      const r = await mine(c)(db.updateTable('job_items').set({ lease_expires_at: sql<number>`(${now} + ${Math.round(leaseMs)})` })).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * Records the attempt's outcome; false when this attempt no longer holds the item. A failure with
     * attempts left goes back to pending, due after `backoff_ms * 2^(attempt-1)`.
     */
    async finish(c: Claim, outcome: Outcome, batch: { max_attempts: number; backoff_ms: number }): Promise<boolean> {
      const at = new Date().toISOString();
      const base = { lease_owner: null, lease_expires_at: null };
      const set = outcome.ok
        ? { ...base, status: 'done' as const, result: JSON.stringify(outcome.result ?? null), error: null, finished_at: at, completions: sql<number>`completions + 1` }
        : outcome.retry && c.attempt < batch.max_attempts
          ? { ...base, status: 'pending' as const, error: outcome.error, next_run_at: sql<number>`(${now} + ${backoffMs(batch.backoff_ms, c.attempt)})` }
          : { ...base, status: 'failed' as const, error: outcome.error, finished_at: at };
      const r = await mine(c)(db.updateTable('job_items').set(set)).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Gives the item back (the platform stops): pending again at once, the attempt not counted. */
    async release(c: Claim): Promise<boolean> {
      const r = await mine(c)(db.updateTable('job_items').set((eb: any) => ({ status: 'pending', lease_owner: null, lease_expires_at: null, attempts: eb('attempts', '-', 1) }))).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

/** Delay before retry number `attempt` (1-based): base, 2 x base, 4 x base ..., at most an hour. */
export function backoffMs(base: number, attempt: number): number {
  return Math.min(base * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

export type ItemClaims = ReturnType<typeof createItemClaims>;
