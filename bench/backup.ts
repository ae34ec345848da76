/**
 * Backup of a generated SQLite database while writes continue, against VACUUM INTO (better-sqlite3)
 * + gzip of the same database in the same run.
 *
 *   npm run bench:backup                    # 256 MB database
 *   BENCH_DB_MB=1024 npm run bench:backup   # 1 GB
 *   ROUNDS=3 GZIP_LEVEL=6 BENCH_DIR=/var/tmp npm run bench:backup
 *
 * Prints: seconds of our backup (snapshot + encode + gzip, then the read-back verification), seconds
 * of VACUUM INTO + gzip (same level) of the same database, their ratio (target <= 1.5), and inserts/s of
 * a writer in the same process during our backup divided by inserts/s without one (target >= 0.5). The
 * writer yields to the event loop every 10 inserts, as request handlers do. The baseline runs without
 * writes; process CPU seconds are printed too, as the machine is shared and wall time is noisy.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import SqliteDatabase from 'better-sqlite3';
import pino from 'pino';
import { createBackupStore } from '../src/backups/backup-store.js';
import { createBackupsService } from '../src/backups/backups.service.js';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';

const TARGET_MB = Number(process.env['BENCH_DB_MB'] ?? 256);
/** The same gzip level on both sides (6 = zlib's and gzip(1)'s default). */
const LEVEL = Number(process.env['GZIP_LEVEL'] ?? 6);
const ROUNDS = Number(process.env['ROUNDS'] ?? 1);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const dir = mkdtempSync(path.join(process.env['BENCH_DIR'] ?? tmpdir(), 'mcps-bench-backup-'));
const file = path.join(dir, 'mcps.db');
const url = `sqlite:///${file}`;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const handle = connect(url);
await migrateToLatest(handle.db);
const service = createBackupsService({
  db: handle.db,
  dialect: 'sqlite',
  databaseUrl: url,
  store: createBackupStore(path.join(dir, 'backups')),
  appVersion: 'bench',
  limits: { maxUploadBytes: 1 << 30, maxExpandedBytes: 64 * 1024 * 1024 * 1024 },
  log: pino({ level: 'silent' }),
  gzipLevel: LEVEL,
});
// Warm-up on the empty database: starts the backup worker thread (from sources, compiles its modules).
await service.create({ label: 'warm-up' });

// 1. Generate: the real schema, filled mostly with protocol-log rows (~1.2 KB payloads, half random).
{
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  const t0 = performance.now();
  while (statSync(file).size < TARGET_MB * 1024 * 1024) {
    raw.exec(`insert into mcp_logs (time, server, caller, session_id, direction, method, jsonrpc_id, duration_ms, outcome, error_code, size, payload)
      select strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || x || ' seconds'), 'server-' || (x % 20), 'user:alice', 'sess-' || (x % 500), 'out', 'tools/call', x, x % 900, 'ok', null, 1200,
        '{"jsonrpc":"2.0","id":' || x || ',"result":{"content":[{"type":"text","text":"' || hex(randomblob(300)) || ' ' || printf('%.*c', 500, 'x') || '"}]}}'
      from (with recursive c(x) as (select 1 union all select x + 1 from c where x < 50000) select x from c)`);
    raw.exec(`insert into operation_logs (time, actor_type, actor_name, action, target_type, target_id, outcome, status_code, ip, request_id)
      select '2026-11-29T00:00:00.000Z', 'user', 'alice', 'server.start', 'server', 'server-' || x, 'success', 200, '127.0.0.1', hex(randomblob(8))
      from (with recursive c(x) as (select 1 union all select x + 1 from c where x < 5000) select x from c)`);
    raw.pragma('wal_checkpoint(TRUNCATE)');
  }
  const rows = raw.prepare('select (select count(*) from mcp_logs) + (select count(*) from operation_logs) as n').get() as { n: number };
  raw.close();
  console.log(`database: ${mb(statSync(file).size)} MB, ${rows.n} rows, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// 2. A writer in this process: one audit row per insert, yielding to the event loop every 10.
let inserts = 0;
let writing = false;
async function writer(): Promise<void> {
  while (writing) {
    await handle.db.insertInto('operation_logs').values({ time: new Date().toISOString(), actor_type: 'user', actor_id: null, actor_name: 'bench', action: 'bench.write', target_type: null, target_id: null, outcome: 'success', status_code: 200, ip: '127.0.0.1', request_id: null, details: null }).execute();
    if (++inserts % 10 === 0) await yieldLoop();
  }
}
async function withWrites<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; rate: number }> {
  inserts = 0;
  writing = true;
  const w = writer();
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  writing = false;
  await w;
  return { result, seconds, rate: inserts / seconds };
}



// 3. Baseline: VACUUM INTO a file, then gzip it (default level, as ours), no writes meanwhile.
async function baseline(): Promise<{ seconds: number; cpu: number }> {
  const copy = path.join(dir, `vacuum-${Date.now()}.db`);
  const t0 = performance.now();
  const c0 = cpu();
  const raw = new SqliteDatabase(file, { readonly: true });
  raw.prepare('vacuum into ?').run(copy);
  raw.close();
  await pipeline(createReadStream(copy), createGzip({ level: LEVEL }), createWriteStream(`${copy}.gz`));
  const s = (performance.now() - t0) / 1000;
  const c = cpu() - c0;
  console.log(`baseline VACUUM INTO + gzip -${LEVEL}: ${s.toFixed(2)} s, ${c.toFixed(2)} s CPU (${mb(statSync(`${copy}.gz`).size)} MB gzip)`);
  rmSync(copy);
  rmSync(`${copy}.gz`);
  return { seconds: s, cpu: c };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r: Record<string, number[]> = { base: [], baseCpu: [], quiet: [], quietCpu: [], quietWrite: [], during: [], duringWrite: [], writes: [] };
// Rounds alternate baseline and ours, so a noisy neighbour weighs on both alike.
for (let round = 1; round <= ROUNDS; round++) {
  const b = await baseline();
  r['base']!.push(b.seconds);
  r['baseCpu']!.push(b.cpu);

  const t0 = performance.now();
  const c0 = cpu();
  const q = await service.create({ label: 'no writes' });
  const quietSeconds = (performance.now() - t0) / 1000;
  const quietCpu = cpu() - c0;
  console.log(`ours, no writes:   ${quietSeconds.toFixed(2)} s total, ${quietCpu.toFixed(2)} s CPU (${(q.duration_ms / 1000).toFixed(2)} s snapshot+write, rest verification), ${mb(q.size_bytes)} MB gzip`);

  const during = await withWrites(() => service.create({ label: 'under writes' }));
  console.log(`ours, with writes: ${during.seconds.toFixed(2)} s total (${(during.result.duration_ms / 1000).toFixed(2)} s snapshot+write), writer ${during.rate.toFixed(0)} inserts/s`);
  const alone = await withWrites(() => new Promise((res) => setTimeout(res, Math.max(2000, during.seconds * 1000))));
  console.log(`writer alone:      ${alone.rate.toFixed(0)} inserts/s over ${alone.seconds.toFixed(1)} s`);

  r['quiet']!.push(quietSeconds / b.seconds);
  r['quietCpu']!.push(quietCpu / b.cpu);
  r['quietWrite']!.push(q.duration_ms / 1000 / b.seconds);
  r['during']!.push(during.seconds / b.seconds);
  r['duringWrite']!.push(during.result.duration_ms / 1000 / b.seconds);
  r['writes']!.push(during.rate / alone.rate);
  for (const m of await service.list()) if (m.label !== 'warm-up') await service.delete(m.id);
}

const m = (k: string) => median(r[k]!).toFixed(2);
console.log(`
${ROUNDS} round(s), gzip level ${LEVEL}, medians:`);
console.log(`baseline VACUUM INTO + gzip: ${m('base')} s`);
console.log(`ratio backup with writes (incl. verification) / baseline: ${m('during')} (target <= 1.5)`);
console.log(`ratio backup with writes (snapshot+write only) / baseline: ${m('duringWrite')}`);
console.log(`ratio backup no writes (incl. verification) / baseline:   ${m('quiet')}`);
console.log(`ratio backup no writes (snapshot+write only) / baseline:  ${m('quietWrite')}`);
console.log(`ratio CPU seconds, backup no writes (incl. verification) / baseline: ${m('quietCpu')}`);
console.log(`write throughput during backup / without: ${m('writes')} (target >= 0.5)`);

await handle.close();
rmSync(dir, { recursive: true, force: true });
