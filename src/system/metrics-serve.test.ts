import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const TOKEN = 'serve-scrape-token-0123456789';
let server: Awaited<ReturnType<typeof startServer>>;
let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'mcps-serve-'));
  const config = loadConfig(
    {
      ENVIRONMENT: 'test', PORT: '0', DATABASE_URL: database.url, LOG_LEVEL: 'warn', MCPS_ADMIN_PASSWORD: 'serve-admin-password',
      MCPS_METRICS_TOKEN: TOKEN, MCPS_METRICS_INTERVAL_SECONDS: '1',
    },
    { envFile: false, cwd: dir },
  );
  server = await startServer(config);
});
afterAll(async () => {
  await server?.stop();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a served platform (real socket)', () => {
  it('is scraped over HTTP like Prometheus does, and samples on its own', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const families = parsePrometheusTextFormat(await res.text());
    const names = families.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['mcps_info', 'mcps_host_cpu_percent', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']));

    // `mcps serve` starts the sampler: samples keep arriving without anyone asking.
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'serve-admin-password' }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const samples = async () => {
      const m = await fetch(`${server.url}/api/v1/system/metrics`, { headers: { authorization: `Bearer ${access_token}` } });
      return ((await m.json()) as { host: unknown[] }).host.length;
    };
    await waitFor(async () => (await samples()) >= 3, 30_000, 'three samples from the running sampler');
  });
});
