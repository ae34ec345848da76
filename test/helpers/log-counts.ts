import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../../src/db/migrations/dialect-helpers.js';

type CountRow = { type: string; hour: string; server: string; key: string; count: number };

const sorted = (rows: CountRow[]) =>
  rows.map((r) => ({ ...r, count: Number(r.count) })).sort((a, b) => JSON.stringify([a.type, a.hour, a.server, a.key]).localeCompare(JSON.stringify([b.type, b.hour, b.server, b.key])));

/**
 * The rollup `log_counts` as it stands, and the same counts taken straight from the logs' rows: equal
 * when the rollup is exact. Both are read in one snapshot (one transaction; repeatable read on
 * PostgreSQL): log rows keep arriving on their own (the system log sink flushes every second, the
 * operation log a turn after its request), each with its count in the same transaction, and one
 * committed between two separate reads would show in the scan and not in the rollup.
 */
export async function rollupAndScan(db: Kysely<any>): Promise<{ rollup: CountRow[]; scan: CountRow[] }> {
  const begin = isPostgres(db) ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return begin.execute((tx) => readBoth(tx));
}

async function readBoth(db: Kysely<any>): Promise<{ rollup: CountRow[]; scan: CountRow[] }> {
  const rollup = await sql<CountRow>`select type, hour, server, key, count from log_counts`.execute(db);
  const scan = await sql<CountRow>`
    select 'system' as type, substr(time, 1, 13) as hour, '' as server, level as key, count(*) as count from system_logs group by substr(time, 1, 13), level
    union all
    select 'operations', substr(time, 1, 13), '', outcome, count(*) from operation_logs group by substr(time, 1, 13), outcome
    union all
    select 'mcp', substr(time, 1, 13), server, coalesce(outcome, 'none'), count(*) from mcp_logs group by substr(time, 1, 13), server, coalesce(outcome, 'none')`.execute(db);
  return { rollup: sorted(rollup.rows), scan: sorted(scan.rows) };
}
