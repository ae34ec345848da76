import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { BatchStatus, ItemStatus, JobBatchRow, JobItemRow, NewJobBatchRow } from './jobs.table.js';

export type ItemCounts = Record<ItemStatus, number>;

/** Batches and items: rows in, rows out. The claiming statements are in item-claims.ts. */
export function createJobsRepository(db: Kysely<Database>) {
  return {
    /** The batch and its items in one transaction: a batch is never seen half-created. */
    async insertBatch(row: NewJobBatchRow, inputs: unknown[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('job_batches').values(row).execute();
        for (let i = 0; i < inputs.length; i += 200) {
          const chunk = inputs.slice(i, i + 200).map((input, j) => ({ batch_id: row.id, seq: i + j, input: JSON.stringify(input), status: 'pending' as const, attempts: 0, next_run_at: 0, completions: 0 }));
          await trx.insertInto('job_items').values(chunk).execute();
        }
      });
    },

    findBatch: (id: string): Promise<JobBatchRow | undefined> => db.selectFrom('job_batches').selectAll().where('id', '=', id).executeTakeFirst(),

    listBatches(limit: number, status?: BatchStatus, before?: string): Promise<JobBatchRow[]> {
      let q = db.selectFrom('job_batches').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
      if (status) q = q.where('status', '=', status);
      if (before) q = q.where('created_at', '<', before);
      return q.execute();
    },

    async counts(batchId: string): Promise<ItemCounts> {
      const rows = await db.selectFrom('job_items').select(['status', sql<number>`count(*)`.as('n')]).where('batch_id', '=', batchId).groupBy('status').execute();
      const out: ItemCounts = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },

    items(batchId: string, offset: number, limit: number, status?: ItemStatus): Promise<JobItemRow[]> {
      let q = db.selectFrom('job_items').selectAll().where('batch_id', '=', batchId).orderBy('seq').offset(offset).limit(limit);
      if (status) q = q.where('status', '=', status);
      return q.execute();
    },

    /**
     * Marks the batch cancelled (if running) and its unfinished items with it. A worker still running
     * an item finds at its next lease renewal that the item is no longer its own, and stops.
     */
    async cancel(batchId: string, at: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const r = await trx.updateTable('job_batches').set({ status: 'cancelled', updated_at: at, finished_at: at }).where('id', '=', batchId).where('status', '=', 'running').executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        await trx.updateTable('job_items').set({ status: 'cancelled', finished_at: at, lease_owner: null, lease_expires_at: null }).where('batch_id', '=', batchId).where('status', 'in', ['pending', 'running']).execute();
        return true;
      });
    },

    /** Ends a running batch whose items are all settled: completed, or failed when any item failed. */
    async settle(batchId: string, at: string): Promise<BatchStatus | null> {
      const c = await this.counts(batchId);
      if (c.pending + c.running > 0) return null;
      const status: BatchStatus = c.failed > 0 ? 'failed' : 'completed';
      const r = await db.updateTable('job_batches').set({ status, updated_at: at, finished_at: at }).where('id', '=', batchId).where('status', '=', 'running').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1 ? status : null;
    },

    statusOf: async (batchId: string): Promise<BatchStatus | null> => (await db.selectFrom('job_batches').select('status').where('id', '=', batchId).executeTakeFirst())?.status ?? null,
  };
}

export type JobsRepository = ReturnType<typeof createJobsRepository>;
