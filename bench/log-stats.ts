/**
 * GET /logs/stats at a busy gateway's log size (issue 18): the service call reading the rollup
 * `log_counts` vs the scan it replaced (one `group by substr(time, 1, 13)` over every row of the
 * window of each log), side by side on the same SQLite file, alternating rounds. Then what the
 * rollup costs the writer: 500-row protocol-log batches (the recorder's default) with their counts
 * vs the bare insert.
 *
 *   npx tsx bench/log-stats.ts
 *   ROWS=700000 ROUNDS=5 npx tsx bench/log-stats.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { connect } from '../src/db/connect.js';
import type { Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createLogsRepository } from '../src/logs/logs.repository.js';
import { createLogsService } from '../src/logs/logs.service.js';
import type { NewMcpLogRow } from '../src/protocol-log/mcp-log.table.js';
import { createTrafficRepository } from '../src/protocol-log/protocol-log.repository.js';

const ROWS = Number(process.env['ROWS'] ?? 700_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const BATCH = 500;
const DAY = 24 * 60 * 60 * 1000;
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-stats-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A request and its response, alternating, spread evenly over the last 7 days, over 10 servers. */
function row(i: number, start: number, step: number): NewMcpLogRow {
  const out = i % 2 === 0;
  const payload = JSON.stringify(out ? { jsonrpc: '2.0', id: i >> 1, method: 'tools/call', params: { name: 'echo', arguments: { message: `hello ${i}` } } } : { jsonrpc: '2.0', id: i >> 1, result: { content: [{ type: 'text', text: `hello ${i}` }] } });
  return {
    time: new Date(start + i * step).toISOString(), server: `server-${(i >> 1) % 10}`, caller: 'user:bench', session_id: null, direction: out ? 'out' : 'in',
    method: 'tools/call', jsonrpc_id: String(i >> 1), duration_ms: out ? null : 3, outcome: out ? null : i % 50 === 1 ? 'error' : 'ok', error_code: null, size: payload.length, payload,
  };
}

/** The query GET /logs/stats ran before the rollup, for the three logs, as the service called it. */
async function scanStats(db: Kysely<Database>, since: string) {
  const one = (table: 'system_logs' | 'operation_logs' | 'mcp_logs', keyCol: 'level' | 'outcome') =>
    db
      .selectFrom(table)
      .select([sql<string>`substr(time, 1, 13)`.as('bucket'), sql<string>`coalesce(${sql.ref(keyCol)}, 'none')`.as('key'), (eb) => eb.fn.countAll<number>().as('count')])
      .where('time', '>=', since)
      .groupBy([sql`substr(time, 1, 13)`, sql.ref(keyCol)])
      .orderBy('bucket')
      .execute();
  return Promise.all([one('system_logs', 'level'), one('operation_logs', 'outcome'), one('mcp_logs', 'outcome')]);
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const handle = connect(`sqlite:///${path.join(dir, 'stats.db')}`);
await migrateToLatest(handle.db);
const traffic = createTrafficRepository(handle.db);
const service = createLogsService({ logs: createLogsRepository(handle.db), protocolLog: traffic });
const start = Date.now() - 7 * DAY + 60_000;
const step = (7 * DAY - 120_000) / ROWS;
const fill0 = performance.now();
for (let i = 0; i < ROWS; i += 5000) await traffic.insertBatch(Array.from({ length: Math.min(5000, ROWS - i) }, (_, k) => row(i + k, start, step)));
console.log(`filled ${ROWS.toLocaleString('en')} protocol-log rows over 7 days in ${((performance.now() - fill0) / 1000).toFixed(1)} s (SQLite file, WAL)`);

const since = new Date(Date.now() - 7 * DAY).toISOString();
const scan: number[] = [];
const rollup: number[] = [];
let counted = 0;
for (let r = 0; r < ROUNDS; r++) {
  scan.push(await timed(() => scanStats(handle.db, since)));
  rollup.push(await timed(async () => (counted = (await service.stats('hour', 7)).totals.mcp)));
}
if (counted !== ROWS) throw new Error(`the rollup counted ${counted} rows, not ${ROWS}`);
console.log(`GET /logs/stats?bucket=hour&days=7, median of ${ROUNDS}: scan ${median(scan).toFixed(1)} ms, rollup ${median(rollup).toFixed(2)} ms, ratio ${(median(scan) / median(rollup)).toFixed(0)}x`);

// The writer's side: the same 500-row batches into two fresh files, with counts and bare.
async function writeRate(name: string, insert: (db: Kysely<Database>, rows: NewMcpLogRow[]) => Promise<void>): Promise<number> {
  const h = connect(`sqlite:///${path.join(dir, `${name}.db`)}`);
  await migrateToLatest(h.db);
  const n = 100_000;
  const rows = Array.from({ length: n }, (_, i) => row(i, Date.now() - DAY, DAY / n));
  const ms = await timed(async () => {
    for (let i = 0; i < n; i += BATCH) await insert(h.db, rows.slice(i, i + BATCH));
  });
  await h.close();
  return n / (ms / 1000);
}
const withCounts: number[] = [];
const bare: number[] = [];
for (let r = 0; r < 3; r++) {
  bare.push(await writeRate(`bare-${r}`, (db, rows) => db.transaction().execute(async (tx) => void (await tx.insertInto('mcp_logs').values(rows).execute()))));
  withCounts.push(await writeRate(`counted-${r}`, (db, rows) => createTrafficRepository(db).insertBatch(rows)));
}
console.log(`protocol-log writes, ${BATCH}-row batches, median of 3: bare ${Math.round(median(bare)).toLocaleString('en')} rows/s, with counts ${Math.round(median(withCounts)).toLocaleString('en')} rows/s, ratio ${(median(withCounts) / median(bare)).toFixed(2)}`);

await handle.close();
rmSync(dir, { recursive: true, force: true });
