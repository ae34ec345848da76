/**
 * Protocol-log rows/s through the real recorder (pairing, redaction, cap, batched Kysely
 * transactions) divided by raw better-sqlite3 inserts of the same rows in 1,000-row transactions,
 * measured side by side in one run (alternating rounds). Target: at least 0.5.
 * Then the recorder's effect on call latency: p50 of `echo` calls to a real fixture server with
 * recording on / off (target: at most 1.05).
 *
 *   npx tsx bench/recorder.ts
 *   ROWS=100000 ROUNDS=3 CALLS=2000 npx tsx bench/recorder.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import type { NewMcpLogRow } from '../src/protocol-log/mcp-log.table.js';
import { createSupervisor } from '../src/servers/supervision/supervisor.js';
import { formatPayload } from '../src/protocol-log/payload.js';
import { createTrafficRecorder } from '../src/protocol-log/protocol-recorder.js';
import { createTrafficRepository } from '../src/protocol-log/protocol-log.repository.js';

const ROWS = Number(process.env['ROWS'] ?? 50_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const CALLS = Number(process.env['CALLS'] ?? 1000);
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A realistic mix: a tools/call request and its response, alternating. */
function messages(n: number): { direction: 'in' | 'out'; message: unknown }[] {
  const out: { direction: 'in' | 'out'; message: unknown }[] = [];
  for (let i = 0; out.length < n; i++) {
    out.push({ direction: 'out', message: { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { message: `hello ${i}` } } } });
    out.push({ direction: 'in', message: { jsonrpc: '2.0', id: i, result: { content: [{ type: 'text', text: `hello ${i}` }] } } });
  }
  return out.slice(0, n);
}

async function freshDb(name: string) {
  const handle = connect(`sqlite:///${path.join(dir, `${name}.db`)}`);
  await migrateToLatest(handle.db);
  return handle;
}

async function viaRecorder(round: number, msgs: ReturnType<typeof messages>): Promise<number> {
  const handle = await freshDb(`recorder-${round}`);
  const repo = createTrafficRepository(handle.db);
  const recorder = createTrafficRecorder({ insert: (rows) => repo.insertBatch(rows), maxBuffer: msgs.length, batchSize: 1000 });
  const t0 = performance.now();
  for (const m of msgs) recorder.record('bench', m.direction, m.message, { caller: 'user:bench' });
  await recorder.close();
  const s = (performance.now() - t0) / 1000;
  const { dropped, written } = recorder.stats();
  if (dropped > 0 || written !== msgs.length) throw new Error(`recorder wrote ${written}, dropped ${dropped}`);
  await handle.close();
  return msgs.length / s;
}

async function raw(round: number, rows: NewMcpLogRow[]): Promise<number> {
  const handle = await freshDb(`raw-${round}`);
  await handle.close();
  const db = new SqliteDatabase(path.join(dir, `raw-${round}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const stmt = db.prepare(
    'insert into mcp_logs (time, server, caller, session_id, direction, method, jsonrpc_id, duration_ms, outcome, error_code, size, payload) values (@time, @server, @caller, @session_id, @direction, @method, @jsonrpc_id, @duration_ms, @outcome, @error_code, @size, @payload)',
  );
  const insertMany = db.transaction((batch: NewMcpLogRow[]) => {
    for (const r of batch) stmt.run(r);
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) insertMany(rows.slice(i, i + 1000));
  const s = (performance.now() - t0) / 1000;
  db.close();
  return rows.length / s;
}

async function callLatency(record: boolean): Promise<number> {
  const fixture = fileURLToPath(new URL('../test/fixtures/mcp/well-behaved.mjs', import.meta.url));
  const handle = await freshDb(`latency-${record}`);
  const repo = createTrafficRepository(handle.db);
  const recorder = createTrafficRecorder({ insert: (rows) => repo.insertBatch(rows) });
  const sup = createSupervisor({ health: null, ...(record ? { onMessage: (s, d, m) => recorder.record(s, d, m) } : {}) });
  sup.register({ name: 'lat', transport: 'stdio', command: process.execPath, args: [fixture], restart_policy: 'never', max_retries: 0, timeout_ms: 15_000 });
  await sup.start('lat');
  const conn = await sup.connection('lat');
  for (let i = 0; i < 100; i++) await conn.callTool('echo', { message: 'warm' });
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await conn.callTool('echo', { message: `m${i}` });
    times.push(performance.now() - t0);
  }
  await sup.stopAll();
  await recorder.close();
  await handle.close();
  return median(times);
}

const msgs = messages(ROWS);
// The raw side inserts exactly the rows the recorder produces (formatted up front, not timed).
const rows: NewMcpLogRow[] = msgs.map((m, i) => ({
  time: new Date().toISOString(),
  server: 'bench',
  caller: 'user:bench',
  session_id: null,
  direction: m.direction,
  method: 'tools/call',
  jsonrpc_id: String(Math.floor(i / 2)),
  duration_ms: m.direction === 'in' ? 1 : null,
  outcome: m.direction === 'in' ? 'ok' : null,
  error_code: null,
  ...formatPayload(m.message, { cap: 16 * 1024, redact: (t) => t }),
}));

const rec: number[] = [];
const base: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  base.push(await raw(r, rows));
  rec.push(await viaRecorder(r, msgs));
}
const ratio = median(rec) / median(base);
console.log(`rows per round: ${ROWS}, rounds: ${ROUNDS} (SQLite file, WAL)`);
console.log(`raw better-sqlite3, 1,000-row transactions: ${Math.round(median(base)).toLocaleString('en')} rows/s`);
console.log(`recorder (record + pair + redact + cap + batched write): ${Math.round(median(rec)).toLocaleString('en')} rows/s`);
console.log(`ratio recorder / raw: ${ratio.toFixed(2)} (target >= 0.5)`);

const off = await callLatency(false);
const on = await callLatency(true);
console.log(`echo call p50 over ${CALLS} calls: recording off ${off.toFixed(3)} ms, on ${on.toFixed(3)} ms, ratio ${(on / off).toFixed(3)} (target <= 1.05)`);
rmSync(dir, { recursive: true, force: true });
