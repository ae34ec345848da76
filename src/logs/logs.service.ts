import { EVERY_SERVER, requireEveryServer, serverLikePatterns, type ServerScope } from '../gateway/access/server-access.js';
import { AppError } from '../http/app-error.js';
import { type Page, decodeCursor, toPage } from '../http/pagination.js';
import { isoMinus } from '../lib/clock.js';
import type { McpLogRow } from '../protocol-log/mcp-log.table.js';
import type { TrafficRepository } from '../protocol-log/protocol-log.repository.js';
import type { OperationLogRow } from './operation-log.table.js';
import type { ListFrom, LogType, LogsRepository, McpLogFilter, OperationLogFilter, SystemLogFilter } from './logs.repository.js';
import type { SystemLogRow } from './system-log.table.js';

export const LEVEL_NUMBERS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVEL_NUMBERS;
const DAY_MS = 24 * 60 * 60 * 1000;

function parseJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { raw: text };
  }
}

export function toSystemLog(r: SystemLogRow) {
  return { id: r.id, time: r.time, level: r.level, msg: r.msg, context: parseJson(r.context), request_id: r.request_id };
}
export function toOperationLog(r: OperationLogRow) {
  return { ...r, details: parseJson(r.details) };
}
export function toMcpLog(r: McpLogRow) {
  return r;
}

function checkRange(f: { since?: string | undefined; until?: string | undefined }): void {
  if (f.since && f.until && f.since >= f.until) {
    throw new AppError('validation', 'since must be before until', { errors: [{ field: 'querystring.since', message: 'must be before until' }] });
  }
}

/** What a live tail follows: one log and its list filters (no time range: it follows the present). */
export type TailQuery =
  | ({ kind: 'system' } & Omit<SystemLogFilter, 'minLevel' | 'since' | 'until'> & { level?: LevelName | undefined })
  | ({ kind: 'operations' } & Omit<OperationLogFilter, 'since' | 'until'>)
  | ({ kind: 'mcp' } & Omit<McpLogFilter, 'serverLike' | 'since' | 'until'>);

export type TailItem = ReturnType<typeof toSystemLog> | ReturnType<typeof toOperationLog> | ReturnType<typeof toMcpLog>;

/**
 * The seed's log API: query system, operation and MCP logs; stats; cleanup. A caller limited to some
 * servers (`scope`) reads only their protocol log; the system and operation logs and cleanup, which
 * span every server, are refused to it.
 */
export function createLogsService(deps: { logs: LogsRepository; protocolLog: Pick<TrafficRepository, 'deleteOlderThan'> }) {
  const { logs } = deps;
  const before = (cursor: string | undefined) => (cursor === undefined ? undefined : decodeCursor<number>(cursor, 'number'));

  return {
    async system(f: Omit<SystemLogFilter, 'minLevel'> & { level?: LevelName | undefined }, limit: number, cursor?: string, scope: ServerScope = EVERY_SERVER) {
      requireEveryServer(scope, 'the system log');
      checkRange(f);
      const rows = await logs.listSystem({ ...f, minLevel: f.level ? LEVEL_NUMBERS[f.level] : undefined }, limit + 1, before(cursor));
      return toPage(rows, limit, (r) => r.id, toSystemLog);
    },

    async operations(f: OperationLogFilter, limit: number, cursor?: string, scope: ServerScope = EVERY_SERVER) {
      requireEveryServer(scope, 'the operation log');
      checkRange(f);
      const rows = await logs.listOperations(f, limit + 1, before(cursor));
      return toPage(rows, limit, (r) => r.id, toOperationLog);
    },

    async mcp(f: McpLogFilter, limit: number, cursor?: string, scope: ServerScope = EVERY_SERVER): Promise<Page<ReturnType<typeof toMcpLog>>> {
      checkRange(f);
      const rows = await logs.listMcp({ ...f, serverLike: serverLikePatterns(scope) ?? undefined }, limit + 1, before(cursor));
      return toPage(rows, limit, (r) => r.id, toMcpLog);
    },

    /**
     * Rows for a live tail, with the list's filters and scope rules: the newest `limit` (newest first)
     * when `after` is null, else those after that id (oldest first).
     */
    async tail(query: TailQuery, after: number | null, limit: number, scope: ServerScope = EVERY_SERVER): Promise<TailItem[]> {
      const at: ListFrom = after === null ? undefined : { after };
      if (query.kind === 'system') {
        requireEveryServer(scope, 'the system log');
        const { kind: _, level, ...f } = query;
        return (await logs.listSystem({ ...f, minLevel: level ? LEVEL_NUMBERS[level] : undefined }, limit, at)).map(toSystemLog);
      }
      if (query.kind === 'operations') {
        requireEveryServer(scope, 'the operation log');
        const { kind: _, ...f } = query;
        return (await logs.listOperations(f, limit, at)).map(toOperationLog);
      }
      const { kind: _, ...f } = query;
      return (await logs.listMcp({ ...f, serverLike: serverLikePatterns(scope) ?? undefined }, limit, at)).map(toMcpLog);
    },

    /**
     * Counts per hour or day over the last `days` days, per log type and level/outcome (protocol log: of
     * the servers `scope` sees). Counted in whole hours (src/logs/log-counts.ts): `since` is the start
     * of the hour `days` days ago.
     */
    async stats(bucket: 'hour' | 'day', days: number, scope: ServerScope = EVERY_SERVER) {
      const since = `${isoMinus(days * DAY_MS).slice(0, 13)}:00:00.000Z`;
      const [system, operations, mcp] = await Promise.all([
        logs.stats('system', bucket, since),
        logs.stats('operations', bucket, since),
        logs.stats('mcp', bucket, since, serverLikePatterns(scope) ?? undefined),
      ]);
      const totals = (rows: { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);
      return {
        bucket,
        since,
        totals: { system: totals(system), operations: totals(operations), mcp: totals(mcp) },
        system,
        operations,
        mcp,
      };
    },

    /** Deletes entries older than `olderThanDays` days from one log type, or from all three. */
    async cleanup(type: LogType | 'all', olderThanDays: number, scope: ServerScope = EVERY_SERVER): Promise<Record<LogType, number>> {
      requireEveryServer(scope, 'log cleanup');
      const cutoff = isoMinus(olderThanDays * DAY_MS);
      const types: LogType[] = type === 'all' ? ['system', 'operations', 'mcp'] : [type];
      const deleted: Record<LogType, number> = { system: 0, operations: 0, mcp: 0 };
      for (const t of types) deleted[t] = t === 'mcp' ? await deps.protocolLog.deleteOlderThan(cutoff) : await logs.deleteOlderThan(t, cutoff);
      return deleted;
    },
  };
}

export type LogsService = ReturnType<typeof createLogsService>;
