import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';

/**
 * The real platform for bench/webhooks.ts (SQLite in a temp dir, or DATABASE_URL if given) with one
 * Alertmanager receiver whose bearer token is a stored secret. Prints its port, the token and the
 * database URL (the bench counts the stored alerts there at the end).
 */
const WEBHOOK_TOKEN = 'bench-am-token-0123456789';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-hooks-'));
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
const call = async (url: string, body: unknown, token?: string) => {
  const r = await fetch(`${base}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`POST ${url}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<Record<string, unknown>>;
};
const { access_token } = (await call('/api/v1/auth/login', { username: 'admin', password: 'bench-admin-password' })) as { access_token: string };
await call('/api/v1/secrets', { name: 'BENCH_AM_TOKEN', value: WEBHOOK_TOKEN }, access_token);
await call('/api/v1/alerts/receivers', { name: 'bench-am', kind: 'alertmanager', token: '${secret:BENCH_AM_TOKEN}' }, access_token);
// Event-loop delay over the whole run (warm-up included), printed when the bench stops the server.
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
// CPU time (user + system, all threads) from here to the stop: the bench divides it by the posts served.
const cpuAtReady = process.cpuUsage();
process.stdout.write(`READY ${new URL(base).port} ${WEBHOOK_TOKEN} ${config.databaseUrl} ${dir}\n`);
process.on('SIGTERM', () => {
  lag.disable();
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  const cpu = process.cpuUsage(cpuAtReady);
  process.stdout.write(`LAG p50 ${ms(lag.percentile(50))} p99 ${ms(lag.percentile(99))} max ${ms(lag.max)} ms\nCPU ${((cpu.user + cpu.system) / 1000).toFixed(0)}\n`);
  void server.stop().then(() => process.exit(0));
});
