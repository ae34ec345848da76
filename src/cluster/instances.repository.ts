import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { isPostgres } from '../db/migrations/dialect-helpers.js';

export interface InstanceRecord {
  id: string;
  baseUrl: string;
  startedAt: number;
  heartbeatAt: number;
  /** The status of each managed server it runs, by name (as its heartbeat last wrote it). */
  servers: Record<string, unknown>;
}

/**
 * The instance registry. "Now" is the database's clock (as for leases): instances on several hosts
 * agree on which heartbeat is stale.
 */
export function createInstancesRepository(db: Kysely<Database>) {
  const nowMs: RawBuilder<number> = isPostgres(db)
    ? sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000.0 as integer)`;
  const toRecord = (r: { id: string; base_url: string; started_at: number | string; heartbeat_at: number | string; servers: string }): InstanceRecord => ({
    id: r.id,
    baseUrl: r.base_url,
    startedAt: Number(r.started_at),
    heartbeatAt: Number(r.heartbeat_at),
    servers: safeJson(r.servers),
  });
  return {
    /** Says this instance is alive at `baseUrl`, with the status of the servers it runs. */
    async heartbeat(id: string, baseUrl: string, servers: Record<string, unknown>): Promise<void> {
      const json = JSON.stringify(servers);
      await db
        .insertInto('instances')
        .values({ id, base_url: baseUrl, started_at: nowMs, heartbeat_at: nowMs, servers: json })
        .onConflict((oc) => oc.column('id').doUpdateSet({ base_url: baseUrl, heartbeat_at: nowMs, servers: json }))
        .execute();
    },
    /** The instance `id` if its heartbeat is younger than `staleMs`, else null. */
    async live(id: string, staleMs: number): Promise<InstanceRecord | null> {
      const row = await db.selectFrom('instances').selectAll().where('id', '=', id).where('heartbeat_at', '>', sql<number>`(${nowMs} - ${Math.round(staleMs)})`).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** Every instance whose heartbeat is younger than `staleMs`. */
    async allLive(staleMs: number): Promise<InstanceRecord[]> {
      const rows = await db.selectFrom('instances').selectAll().where('heartbeat_at', '>', sql<number>`(${nowMs} - ${Math.round(staleMs)})`).orderBy('id').execute();
      return rows.map(toRecord);
    },
    /** Leaves the registry (a clean stop), and forgets instances silent for longer than `forgetMs`. */
    async remove(id: string): Promise<void> {
      await db.deleteFrom('instances').where('id', '=', id).execute();
    },
    async prune(forgetMs: number): Promise<void> {
      await db.deleteFrom('instances').where('heartbeat_at', '<', sql<number>`(${nowMs} - ${Math.round(forgetMs)})`).execute();
    },
  };
}

export type InstancesRepository = ReturnType<typeof createInstancesRepository>;

function safeJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
