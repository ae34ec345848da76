import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import { isRetryableConflict } from '../alerts/alert-ingest.js';
import type { Database } from '../db/database.js';
import type { MonitorEventTable, MonitorMaintenanceRow, MonitorMaintenanceTable, MonitorResultTable, MonitorRow, MonitorTable } from './monitors.table.js';

/** Queries on monitors, their results, state changes and maintenance windows. */
export function createMonitorsRepository(db: Kysely<Database>) {
  return {
    list: (): Promise<MonitorRow[]> => db.selectFrom('monitors').selectAll().orderBy('name').execute(),
    find: (id: string): Promise<MonitorRow | undefined> => db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst(),
    findByName: (name: string): Promise<MonitorRow | undefined> => db.selectFrom('monitors').selectAll().where('name', '=', name).executeTakeFirst(),
    findByPushHash: (hash: string): Promise<MonitorRow | undefined> => db.selectFrom('monitors').selectAll().where('push_token_hash', '=', hash).executeTakeFirst(),
    count: async (): Promise<number> => Number((await db.selectFrom('monitors').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    insert: async (row: Insertable<MonitorTable>): Promise<void> => void (await db.insertInto('monitors').values(row).execute()),
    update: async (id: string, set: Updateable<MonitorTable>): Promise<void> => void (await db.updateTable('monitors').set(set).where('id', '=', id).execute()),
    remove: async (id: string): Promise<boolean> => Number((await db.deleteFrom('monitors').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0,

    /**
     * The result, the new state, the event and `alongside` (the monitor's alert opened or resolved) in
     * one transaction, so that a crash leaves all of them or none. A PostgreSQL deadlock runs it again.
     */
    async record<T>(result: Insertable<MonitorResultTable>, id: string, set: Updateable<MonitorTable>, event: Insertable<MonitorEventTable> | null, alongside: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().execute(async (trx) => {
            const out = await alongside(trx);
            await trx.insertInto('monitor_results').values(result).execute();
            await trx.updateTable('monitors').set(set).where('id', '=', id).execute();
            if (event) await trx.insertInto('monitor_events').values(event).execute();
            return out;
          });
        } catch (err) {
          if (attempt >= 3 || !isRetryableConflict(err)) throw err;
        }
      }
    },
    recentResults: (id: string, limit: number) =>
      db.selectFrom('monitor_results').selectAll().where('monitor_id', '=', id).orderBy('at', 'desc').limit(limit).execute(),
    events: (id: string, limit: number) =>
      db.selectFrom('monitor_events').selectAll().where('monitor_id', '=', id).orderBy('at', 'desc').limit(limit).execute(),
    lastOkAt: async (id: string): Promise<string | null> =>
      (await db.selectFrom('monitor_results').select('at').where('monitor_id', '=', id).where('ok', '=', 1).orderBy('at', 'desc').executeTakeFirst())?.at ?? null,

    insertMaintenance: async (row: Insertable<MonitorMaintenanceTable>): Promise<void> => void (await db.insertInto('monitor_maintenance').values(row).execute()),
    removeMaintenance: async (id: string): Promise<boolean> => Number((await db.deleteFrom('monitor_maintenance').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0,
    findMaintenance: (id: string) => db.selectFrom('monitor_maintenance').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Windows of this monitor and the global ones that have not ended before `since`. */
    maintenance: (monitorId: string | null, since: string): Promise<MonitorMaintenanceRow[]> => {
      let q = db.selectFrom('monitor_maintenance').selectAll().where('ends_at', '>', since);
      if (monitorId) q = q.where((e) => e.or([e('monitor_id', '=', monitorId), e('monitor_id', 'is', null)]));
      return q.orderBy('starts_at').execute();
    },
    inMaintenance: async (monitorId: string, at: string): Promise<boolean> =>
      (await db.selectFrom('monitor_maintenance').select('id').where('starts_at', '<=', at).where('ends_at', '>', at)
        .where((e) => e.or([e('monitor_id', '=', monitorId), e('monitor_id', 'is', null)])).executeTakeFirst()) !== undefined,
  };
}

export type MonitorsRepository = ReturnType<typeof createMonitorsRepository>;
