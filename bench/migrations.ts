/**
 * Migrations up and down on a populated database (the previous release's schema, 016-monitors, with
 * 100,000 protocol-log rows), against the same steps on an empty database in the same run.
 *
 *   npm run bench:migrations                                              # SQLite
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:migrations   # PostgreSQL (a scratch schema)
 *   BENCH_ROWS=1000000 npm run bench:migrations
 *
 * Prints, for the populated and the empty database: seconds to migrate 016 -> latest (the upgrade),
 * latest -> 016 (the rollback, `mcps db rollback` once per migration) and 016 -> latest again, the
 * ratio populated/empty, and checks the rows are all still there after each step.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { connect, type DbHandle } from '../src/db/connect.js';
import { migrations } from '../src/db/migrations/index.js';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 100_000);
const BASE = process.env['BENCH_DATABASE_URL'];
const PREVIOUS = '016-monitors';
const LATEST = Object.keys(migrations).sort().at(-1)!;

async function scratch(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!BASE) {
    const dir = mkdtempSync(path.join(process.env['BENCH_DIR'] ?? tmpdir(), 'mcps-bench-migrate-'));
    return { url: `sqlite:///${path.join(dir, 'mcps.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: BASE });
    await c.connect();
    await c.query(q).finally(() => c.end());
  };
  await admin(`create schema ${schema}`);
  const u = new URL(BASE);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { url: u.toString(), drop: () => admin(`drop schema ${schema} cascade`) };
}

async function migrator(h: DbHandle): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (h.dialect === 'postgres') migrationTableSchema = (await sql<{ s: string }>`select current_schema() as s`.execute(h.db)).rows[0]!.s;
  return new Migrator({ db: h.db, provider: { getMigrations: async () => migrations }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
}

async function timed(what: () => Promise<{ error?: unknown }>): Promise<number> {
  const t = performance.now();
  const r = await what();
  if (r.error) throw r.error;
  return (performance.now() - t) / 1000;
}

async function fill(h: DbHandle, rows: number): Promise<void> {
  const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'x'.repeat(300) }] } });
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; i < rows; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, rows - i) }, (_, j) => ({
      time: new Date(t0 + (i + j) * 1000).toISOString(), server: `srv-${(i + j) % 20}`, direction: ((i + j) % 2 ? 'in' : 'out') as 'in' | 'out', size: payload.length, payload,
      caller: 'admin', session_id: `s-${(i + j) % 500}`, method: 'tools/call', jsonrpc_id: String(i + j), duration_ms: 12, outcome: 'ok' as const, error_code: null,
    }));
    await h.db.insertInto('mcp_logs').values(batch).execute();
  }
}

const count = async (h: DbHandle) => (await h.db.selectFrom('mcp_logs').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

async function run(rows: number): Promise<{ up: number; down: number; upAgain: number }> {
  const db = await scratch();
  const h = connect(db.url);
  try {
    const m = await migrator(h);
    await timed(() => m.migrateTo(PREVIOUS));
    await fill(h, rows);
    const check = async (step: string) => {
      const n = Number(await count(h));
      if (n !== rows) throw new Error(`after ${step}: ${n} protocol-log rows, expected ${rows}`);
    };
    const up = await timed(() => m.migrateToLatest());
    await check('the upgrade');
    const down = await timed(() => m.migrateTo(PREVIOUS));
    await check('the rollback');
    const upAgain = await timed(() => m.migrateToLatest());
    await check('the second upgrade');
    return { up, down, upAgain };
  } finally {
    await h.close();
    await db.drop();
  }
}

const f = (s: number) => s.toFixed(3);
const populated = await run(ROWS);
const empty = await run(0);
console.log(`database: ${BASE ? 'postgres' : 'sqlite'}; ${PREVIOUS} <-> ${LATEST}; ${ROWS} protocol-log rows (all still there after each step)`);
for (const k of ['up', 'down', 'upAgain'] as const) {
  console.log(`${k.padEnd(8)} populated ${f(populated[k])} s   empty ${f(empty[k])} s   ratio ${(populated[k] / Math.max(empty[k], 0.001)).toFixed(2)}`);
}
