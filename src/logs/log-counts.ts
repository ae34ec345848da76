import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { isPostgres } from '../db/migrations/dialect-helpers.js';

/**
 * The rollup `log_counts` (migration 024): rows of each log per hour, server and level/outcome, kept
 * exact beside every insert and delete so that GET /logs/stats never scans the logs. Whatever writes
 * or deletes log rows goes through `addCounts` / `deleteCounted`; a restore calls `rebuildLogCounts`.
 */

export type LogType = 'system' | 'operations' | 'mcp';
export const LOG_TABLES = { system: 'system_logs', operations: 'operation_logs', mcp: 'mcp_logs' } as const;

/** What the rollup reads of a row. */
export interface CountedRow {
  time: string;
  server?: string;
  level?: string;
  outcome?: string | null;
}

/** 5 parameters per key: far under SQLite's and PostgreSQL's limits. */
const KEYS_PER_STATEMENT = 1000;

/** The same key in SQL, for rows already in a table (hour: the first 13 characters of `time`). */
const HOUR = sql<string>`substr(time, 1, 13)`;
const SERVER: Record<LogType, RawBuilder<string>> = { system: sql`''`, operations: sql`''`, mcp: sql`server` };
const KEY: Record<LogType, RawBuilder<string>> = { system: sql`level`, operations: sql`outcome`, mcp: sql`coalesce(outcome, 'none')` };
/** PostgreSQL refuses a constant in GROUP BY: the system and operation logs group by hour and key only. */
const GROUP: Record<LogType, RawBuilder<unknown>> = {
  system: sql`${HOUR}, ${KEY.system}`,
  operations: sql`${HOUR}, ${KEY.operations}`,
  mcp: sql`${HOUR}, ${SERVER.mcp}, ${KEY.mcp}`,
};

function keyOf(type: LogType, r: CountedRow) {
  return {
    hour: r.time.slice(0, 13),
    server: type === 'mcp' ? (r.server ?? '') : '',
    key: (type === 'system' ? r.level : r.outcome) ?? 'none',
  };
}

/**
 * Adds a batch of rows just inserted (call it in the insert's transaction): one upsert per distinct
 * key, in key order, so that concurrent batches on PostgreSQL lock count rows in the same order.
 */
export async function addCounts(tx: Kysely<Database>, type: LogType, rows: readonly CountedRow[]): Promise<void> {
  const counts = new Map<string, { type: LogType; hour: string; server: string; key: string; count: number }>();
  for (const r of rows) {
    const k = keyOf(type, r);
    const id = `${k.hour}\0${k.server}\0${k.key}`;
    const c = counts.get(id);
    if (c) c.count++;
    else counts.set(id, { type, ...k, count: 1 });
  }
  const ordered = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  for (let i = 0; i < ordered.length; i += KEYS_PER_STATEMENT) {
    await tx
      .insertInto('log_counts')
      .values(ordered.slice(i, i + KEYS_PER_STATEMENT))
      .onConflict((oc) => oc.columns(['type', 'hour', 'server', 'key']).doUpdateSet({ count: sql<number>`log_counts.count + excluded.count` }))
      .execute();
  }
}

/**
 * Deletes the rows of one log that `where` selects and takes them off the rollup (count rows that
 * reach 0 go), in one transaction. Returns how many rows were deleted.
 */
export async function deleteCounted(db: Kysely<Database>, type: LogType, where: RawBuilder<SqlBool>): Promise<number> {
  const table = sql.table(LOG_TABLES[type]);
  return db.transaction().execute(async (tx) => {
    // PostgreSQL: no row may enter or leave this log between counting and deleting, so inserts into it
    // wait for the delete (as every write does on SQLite, which has one writer). Reads go on.
    if (isPostgres(tx)) await sql`lock table ${table} in share row exclusive mode`.execute(tx);
    // The same upsert as addCounts, with the counts of the rows about to go, negated.
    await sql`
      insert into log_counts (type, hour, server, key, count)
      select ${sql.lit(type)}, ${HOUR}, ${SERVER[type]}, ${KEY[type]}, -count(*) from ${table} where ${where} group by ${GROUP[type]}
      on conflict (type, hour, server, key) do update set count = log_counts.count + excluded.count`.execute(tx);
    await tx.deleteFrom('log_counts').where('type', '=', type).where('count', '<=', 0).execute();
    const r = await sql`delete from ${table} where ${where}`.execute(tx);
    return Number(r.numAffectedRows ?? 0);
  });
}

/** Counts every row again (after a restore, whose backups leave the rollup out): one grouped scan per log. */
export async function rebuildLogCounts(tx: Kysely<any>): Promise<void> {
  await sql`delete from log_counts`.execute(tx);
  for (const type of ['system', 'operations', 'mcp'] as const) {
    await sql`
      insert into log_counts (type, hour, server, key, count)
      select ${sql.lit(type)}, ${HOUR}, ${SERVER[type]}, ${KEY[type]}, count(*) from ${sql.table(LOG_TABLES[type])}
      group by ${GROUP[type]}`.execute(tx);
  }
}
