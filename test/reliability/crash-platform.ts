import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { connect, type DbHandle } from '../../src/db/connect.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { serveCli, type ServeRun } from '../helpers/serve-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/** Kills per case: RELIABILITY_ROUNDS (default 20, as the issue asks). */
export const ROUNDS = Number(process.env['RELIABILITY_ROUNDS'] ?? 20);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`RELIABILITY_ROUNDS: expected a whole number >= 1, got '${process.env['RELIABILITY_ROUNDS']}'`);

/** A whole number in [min, max]: when to kill, so each round cuts the work at another moment. */
export const randomMs = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Api = <T = Record<string, any>>(method: string, p: string, body?: unknown) => Promise<T>;

/** The real platform (`mcps serve`, the bundled build) in its own home and database, started and killed -9 at will. */
export interface CrashPlatform {
  home: string;
  dataDir: string;
  database: TestDatabase;
  /** The database URL as the platform sees it (SQLite: DATA_DIR/mcps.db). */
  dbUrl: string;
  port: number;
  /** The running process (after start()). */
  run: ServeRun;
  /** Starts the platform (with `env` besides the .env file) and waits for /health; logs in (admin) once. */
  start(env?: Record<string, string>): Promise<void>;
  /** SIGKILL and wait for the exit; a no-op when it is not running. */
  kill(): Promise<void>;
  /** SIGKILL after `ms`, while the caller keeps working; resolves once the process has exited. */
  killAfter(ms: number): Promise<void>;
  /** Authenticated JSON calls to /api/v1 (throws on a non-2xx, with status and body). */
  api: Api;
  /** A direct connection to the platform's database (opened once; closed after the file). */
  db(): DbHandle;
  /** The CLI environment: the same .env (cwd home). */
  env: Record<string, string>;
}

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

export async function crashPlatform(opts: { env?: Record<string, string> } = {}): Promise<CrashPlatform> {
  const home = mkdtempSync(path.join(tmpdir(), 'mcps-crash-'));
  const database = await createTestDatabase();
  cleanup.push(() => rmSync(home, { recursive: true, force: true }), () => database.drop());
  const env: Record<string, string> = { ENVIRONMENT: 'test', LOG_LEVEL: 'warn', MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, MCPS_OUTBOUND_ALLOW: '127.0.0.0/8', ...opts.env };
  if (database.kind === 'postgres') env['DATABASE_URL'] = database.url;
  writeFileSync(path.join(home, '.env'), Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
  const dataDir = path.join(home, 'data');
  const dbUrl = database.kind === 'postgres' ? database.url : `sqlite:///${path.join(dataDir, 'mcps.db')}`;
  const port = await freePort();
  let token = '';
  let handle: DbHandle | undefined;

  const p: CrashPlatform = {
    home, dataDir, database, dbUrl, port, env,
    run: undefined as unknown as ServeRun,
    async start(extra) {
      const run = serveCli({ cwd: home, port, ...(extra ? { env: extra } : {}) });
      cleanup.push(() => run.child.kill('SIGKILL'));
      p.run = run;
      await run.ready(120_000);
      if (!token) {
        const login = await fetch(`${run.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
        token = ((await login.json()) as { access_token: string }).access_token;
      }
    },
    async kill() {
      if (!p.run || p.run.child.exitCode !== null || p.run.child.signalCode !== null) return;
      p.run.child.kill('SIGKILL');
      await p.run.exited;
    },
    async killAfter(ms) {
      await sleep(ms);
      await p.kill();
    },
    api: async (method, route, body) => {
      const res = await fetch(`${p.run.url}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : {}) as never;
    },
    db() {
      if (!handle) {
        handle = connect(dbUrl);
        const h = handle;
        cleanup.push(() => h.close());
      }
      return handle;
    },
  };
  return p;
}
