import { type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { McpLogRow } from '../protocol-log/mcp-log.table.js';
import { createGroupCommit } from '../lib/group-commit.js';
import { addCounts, deleteCounted, LOG_TABLES, type LogType } from './log-counts.js';
import type { NewOperationLogRow, OperationLogRow } from './operation-log.table.js';
import type { NewSystemLogRow, SystemLogRow } from './system-log.table.js';

export interface TimeRange {
  since?: string | undefined;
  until?: string | undefined;
}

export interface SystemLogFilter extends TimeRange {
  minLevel?: number | undefined;
  q?: string | undefined;
}

export interface OperationLogFilter extends TimeRange {
  actor?: string | undefined;
  action?: string | undefined;
  outcome?: 'success' | 'failure' | undefined;
  target?: string | undefined;
}

export interface McpLogFilter extends TimeRange {
  server?: string | undefined;
  /** Only rows whose server matches one of these `LIKE` patterns (escape `\`); empty: no row. */
  serverLike?: readonly string[] | undefined;
  method?: string | undefined;
  outcome?: 'ok' | 'error' | undefined;
  caller?: string | undefined;
  q?: string | undefined;
}

export type { LogType };

/**
 * Where a list starts: `before` an id, newest first (pages), or `after` an id, oldest first (a live
 * tail catching up). A number alone is `before`.
 */
export type ListFrom = number | { after: number } | undefined;

/** `server LIKE p1 OR ...` over `LIKE` patterns (escape `\`); with none, matches no row. */
function serverMatches(patterns: readonly string[]): RawBuilder<SqlBool> {
  if (patterns.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`(${sql.join(patterns.map((p) => sql`server like ${p} escape '\\'`), sql` or `)})`;
}

/** `LIKE` pattern matching `q` literally (%, _ and \ escaped). */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Applies a `ListFrom` to a query over a table with an `id` column. */
function from<T extends (typeof LOG_TABLES)[LogType], O>(q: SelectQueryBuilder<Database, T, O>, at: ListFrom): SelectQueryBuilder<Database, T, O> {
  if (typeof at === 'object') return q.where(sql.ref('id'), '>', at.after).orderBy(sql.ref('id'), 'asc');
  const desc = q.orderBy(sql.ref('id'), 'desc');
  return at === undefined ? desc : desc.where(sql.ref('id'), '<', at);
}

/** `onWritten` hears of each successful insert (live streams: src/lib/live-events.ts). */
export function createLogsRepository(db: Kysely<Database>, onWritten: (kind: Exclude<LogType, 'mcp'>) => void = () => {}) {
  // Operation-log rows written together share a transaction (every audited request writes one: on a
  // busy webhook, a transaction of its own per post cost more than the row).
  const insertOperation = createGroupCommit<NewOperationLogRow>(async (rows) => {
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('operation_logs').values(rows).execute();
      await addCounts(tx, 'operations', rows);
    });
    onWritten('operations');
  });
  return {
    async insertSystem(rows: NewSystemLogRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('system_logs').values(rows).execute();
        await addCounts(tx, 'system', rows);
      });
      onWritten('system');
    },
    /** Resolves once the row is committed (with the rows written beside it). */
    insertOperation,

    /** Newest first, keyset-paginated on id (`before` is the last id of the previous page), or oldest first after an id. */
    listSystem(f: SystemLogFilter, limit: number, at?: ListFrom): Promise<SystemLogRow[]> {
      let q = from(db.selectFrom('system_logs').selectAll().limit(limit), at);
      if (f.minLevel !== undefined) q = q.where('level_num', '>=', f.minLevel);
      if (f.since) q = q.where('time', '>=', f.since);
      if (f.until) q = q.where('time', '<', f.until);
      if (f.q) {
        const p = likePattern(f.q);
        q = q.where((eb) => eb.or([eb('msg', 'like', sql<string>`${p} escape '\\'`), eb('context', 'like', sql<string>`${p} escape '\\'`)]));
      }
      return q.execute();
    },

    listOperations(f: OperationLogFilter, limit: number, at?: ListFrom): Promise<OperationLogRow[]> {
      let q = from(db.selectFrom('operation_logs').selectAll().limit(limit), at);
      if (f.actor) q = q.where((eb) => eb.or([eb('actor_name', '=', f.actor!), eb('actor_id', '=', f.actor!)]));
      if (f.action) q = q.where('action', '=', f.action);
      if (f.outcome) q = q.where('outcome', '=', f.outcome);
      if (f.target) q = q.where('target_id', '=', f.target);
      if (f.since) q = q.where('time', '>=', f.since);
      if (f.until) q = q.where('time', '<', f.until);
      return q.execute();
    },

    listMcp(f: McpLogFilter, limit: number, at?: ListFrom): Promise<McpLogRow[]> {
      let q = from(db.selectFrom('mcp_logs').selectAll().limit(limit), at);
      if (f.server) q = q.where('server', '=', f.server);
      if (f.serverLike) q = q.where(serverMatches(f.serverLike));
      if (f.method) q = q.where('method', '=', f.method);
      if (f.outcome) q = q.where('outcome', '=', f.outcome);
      if (f.caller) q = q.where('caller', '=', f.caller);
      if (f.since) q = q.where('time', '>=', f.since);
      if (f.until) q = q.where('time', '<', f.until);
      if (f.q) q = q.where('payload', 'like', sql<string>`${likePattern(f.q)} escape '\\'`);
      return q.execute();
    },

    /**
     * Counts per bucket (hour: `YYYY-MM-DDTHH`, day: `YYYY-MM-DD`) and level (system), outcome
     * (operations, mcp; 'none' without one), from the rollup `log_counts`: O(hours), not O(rows).
     * The hour of `since` is counted whole. Works the same on SQLite and PostgreSQL.
     */
    async stats(type: LogType, bucket: 'hour' | 'day', since: string, serverLike?: readonly string[]): Promise<{ bucket: string; key: string; count: number }[]> {
      const len = bucket === 'hour' ? 13 : 10;
      let q = db
        .selectFrom('log_counts')
        .select([sql<string>`substr(hour, 1, ${sql.lit(len)})`.as('bucket'), 'key', (eb) => eb.fn.sum<number>('count').as('count')])
        .where('type', '=', type)
        .where('hour', '>=', since.slice(0, 13))
        .groupBy([sql`substr(hour, 1, ${sql.lit(len)})`, 'key'])
        .orderBy('bucket')
        .orderBy('key');
      if (type === 'mcp' && serverLike) q = q.where(serverMatches(serverLike));
      const rows = await q.execute();
      return rows.map((r) => ({ bucket: r.bucket, key: r.key, count: Number(r.count) }));
    },

    /** The protocol log's rows are deleted by its own repository (src/protocol-log/). */
    async deleteOlderThan(type: Exclude<LogType, 'mcp'>, before: string): Promise<number> {
      return deleteCounted(db, type, sql<SqlBool>`time < ${before}`);
    },
  };
}

export type LogsRepository = ReturnType<typeof createLogsRepository>;
