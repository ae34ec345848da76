import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as ConfigModule from '../../src/config.js';
import type * as ServerModule from '../../src/server.js';

/**
 * The real platform, as `mcps serve` starts it (SQLite in a temp dir, or DATABASE_URL if given),
 * with 20 users so the list is a real query. Prints its port and an admin token.
 * BENCH_DIST=1 loads the compiled `dist/` (what `npm start` runs; build it with
 * `npx tsc -p tsconfig.build.json`) instead of the sources under tsx.
 */
const root = process.env['BENCH_DIST'] === '1' ? '../../dist' : '../../src';
const { loadConfig } = (await import(`${root}/config.js`)) as typeof ConfigModule;
const { startServer } = (await import(`${root}/server.js`)) as typeof ServerModule;
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-'));
const config = loadConfig(
  {
    ENVIRONMENT: 'test',
    PORT: '0',
    LOG_LEVEL: 'warn',
    MCPS_ADMIN_PASSWORD: 'bench-admin-password',
    ...(process.env['DATABASE_URL'] ? { DATABASE_URL: process.env['DATABASE_URL'] } : {}),
  },
  { envFile: false, cwd: dir },
);
const server = await startServer(config);
const base = server.url;
const login = await fetch(`${base}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }),
});
const { access_token } = (await login.json()) as { access_token: string };
for (let i = 0; i < 20; i++) {
  await fetch(`${base}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ username: `user${i}`, password: 'bench-user-password', role: 'viewer' }),
  });
}
const key = await fetch(`${base}/api/v1/auth/api-keys`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
  body: JSON.stringify({ name: 'bench', role: 'admin' }),
});
const { key: apiKey } = (await key.json()) as { key: string };
// The SQLite file (or `-` on PostgreSQL), for the listing baseline (listing-baseline.ts).
const sqliteFile = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.replace(/^sqlite:\/\//, '') : '-';
process.stdout.write(`READY ${new URL(base).port} ${access_token} ${apiKey} ${sqliteFile}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
