import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { MonitorRollupTable } from './monitors.table.js';

export type Resolution = MonitorRollupTable['resolution'];

/** Queries on raw results and rollups: what is rolled up to where, reading and writing buckets, pruning. */
export function createRollupsRepository(db: Kysely<Database>) {
  return {
    /** The start of the newest bucket of a resolution ('' when none). */
    async newest(resolution: Resolution): Promise<string> {
      const r = await db.selectFrom('monitor_rollups').select((e) => e.fn.max('bucket').as('b')).where('resolution', '=', resolution).executeTakeFirst();
      return (r?.b as string | null) ?? '';
    },
    async oldestRaw(): Promise<string> {
      const r = await db.selectFrom('monitor_results').select((e) => e.fn.min('at').as('a')).executeTakeFirst();
      return (r?.a as string | null) ?? '';
    },
    async oldest(resolution: Resolution): Promise<string> {
      const r = await db.selectFrom('monitor_rollups').select((e) => e.fn.min('bucket').as('b')).where('resolution', '=', resolution).executeTakeFirst();
      return (r?.b as string | null) ?? '';
    },
    raw(from: string, to: string, monitorId?: string) {
      let q = db.selectFrom('monitor_results').select(['monitor_id', 'at', 'ok', 'latency_ms']).where('at', '>=', from).where('at', '<', to);
      if (monitorId) q = q.where('monitor_id', '=', monitorId);
      return q.execute();
    },
    buckets(resolution: Resolution, from: string, to: string, monitorId?: string) {
      let q = db.selectFrom('monitor_rollups').selectAll().where('resolution', '=', resolution).where('bucket', '>=', from).where('bucket', '<', to);
      if (monitorId) q = q.where('monitor_id', '=', monitorId);
      return q.orderBy('bucket').execute();
    },
    async upsert(rows: MonitorRollupTable[]): Promise<void> {
      for (let i = 0; i < rows.length; i += 200) {
        await db.insertInto('monitor_rollups').values(rows.slice(i, i + 200))
          .onConflict((oc) => oc.columns(['monitor_id', 'resolution', 'bucket']).doUpdateSet((e) => ({
            checks: e.ref('excluded.checks'), ups: e.ref('excluded.ups'), latency_sum: e.ref('excluded.latency_sum'), latency_max: e.ref('excluded.latency_max'), histogram: e.ref('excluded.histogram'),
          })))
          .execute();
      }
    },
    async pruneRaw(before: string): Promise<number> {
      return Number((await db.deleteFrom('monitor_results').where('at', '<', before).executeTakeFirst()).numDeletedRows);
    },
    async prune(resolution: Resolution, before: string): Promise<number> {
      return Number((await db.deleteFrom('monitor_rollups').where('resolution', '=', resolution).where('bucket', '<', before).executeTakeFirst()).numDeletedRows);
    },
    async pruneEvents(before: string): Promise<void> {
      await db.deleteFrom('monitor_events').where('at', '<', before).execute();
    },
  };
}

export type RollupsRepository = ReturnType<typeof createRollupsRepository>;
