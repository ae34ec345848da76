import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CHUNK_CHARS, type RowChunk, type SnapshotSource } from './snapshot-source.js';
import type { TableInfo } from './table-catalog.js';

/**
 * The SQLite snapshot runs in a worker thread on its own read-only connection: one read transaction
 * on a WAL database sees a single instant (the same guarantee as VACUUM INTO or the online backup
 * API, without copying the file first) while the platform's connection keeps writing. Reading and
 * encoding rows is synchronous work, so it stays off the event loop that serves requests.
 *
 * The worker is plain JavaScript given as source text, so it runs alike from TypeScript sources
 * (tsx, vitest) and from dist/ without a loader; it only needs better-sqlite3, resolved here.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 10000');
let credits = workerData.window;
let wake = null;
const queue = [];
parentPort.on('message', (m) => {
  if (m.type === 'ack') { credits++; if (wake) { const w = wake; wake = null; w(); } }
  else { queue.push(m); if (wake) { const w = wake; wake = null; w(); } }
});
const next = () => new Promise((r) => { wake = r; });
const quote = (n) => '"' + n.replace(/"/g, '""') + '"';
function encode(v) {
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return { $b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  return String(v);
}
(async () => {
  db.exec('BEGIN');
  let migrations = [];
  try { migrations = db.prepare('select name from kysely_migration order by name').pluck().all(); } catch { db.prepare('select 1 from sqlite_master limit 1').get(); }
  parentPort.postMessage({ type: 'ready', migrations });
  for (;;) {
    while (queue.length === 0) await next();
    const m = queue.shift();
    const stmt = db.prepare('select ' + m.columns.map(quote).join(', ') + ' from ' + quote(m.table)).raw(true);
    let text = '';
    let rows = 0;
    for (const row of stmt.iterate()) {
      let plain = true;
      for (let i = 0; i < row.length; i++) { const v = row[i]; if (v !== null && typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v))) { plain = false; break; } }
      text += JSON.stringify(plain ? row : row.map(encode)) + '\n';
      rows++;
      if (text.length >= workerData.chunkChars) {
        while (credits <= 0) await next();
        credits--;
        parentPort.postMessage({ type: 'chunk', text, rows });
        text = '';
        rows = 0;
      }
    }
    while (credits <= 0) await next();
    credits--;
    parentPort.postMessage({ type: 'last', text, rows });
  }
})().catch((err) => parentPort.postMessage({ type: 'error', message: err && err.message ? err.message : String(err) }));
`;

type FromWorker =
  | { type: 'ready'; migrations: string[] }
  | { type: 'chunk' | 'last'; text: string; rows: number }
  | { type: 'error'; message: string };

export async function openSqliteSnapshot(file: string, tables: TableInfo[]): Promise<SnapshotSource> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, window: 4, chunkChars: CHUNK_CHARS } });
  const inbox: FromWorker[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'error') failure = new Error(`sqlite snapshot: ${m.message}`);
    else inbox.push(m);
    notify();
  });
  worker.on('error', (err) => {
    failure = err;
    notify();
  });
  worker.on('exit', () => {
    failure ??= new Error('sqlite snapshot: the worker stopped');
    notify();
  });
  const receive = async (): Promise<FromWorker> => {
    for (;;) {
      const m = inbox.shift();
      if (m) return m;
      if (failure) throw failure;
      await new Promise<void>((r) => (wake = r));
    }
  };

  let ready: FromWorker;
  try {
    ready = await receive();
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  if (ready.type !== 'ready') throw new Error('sqlite snapshot: unexpected message');

  return {
    dialect: 'sqlite',
    migrations: ready.migrations,
    tables,
    async *chunks(table: TableInfo): AsyncIterable<RowChunk> {
      worker.postMessage({ type: 'table', table: table.name, columns: table.columns });
      for (;;) {
        const m = await receive();
        if (m.type !== 'chunk' && m.type !== 'last') throw new Error('sqlite snapshot: unexpected message');
        worker.postMessage({ type: 'ack' });
        if (m.rows > 0) yield { text: m.text, rows: m.rows };
        if (m.type === 'last') return;
      }
    },
    async close() {
      // Ending the thread closes its read-only connection, which ends the read transaction.
      await worker.terminate();
    },
  };
}
