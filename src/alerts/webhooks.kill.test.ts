import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { freePort } from '../../test/helpers/free-port.js';
import { serveCli, type ServeRun } from '../../test/helpers/serve-cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';

const TOKEN = 'kill-test-webhook-token-0123';
const cleanup: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const body = (i: number) => JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Kill', n: String(i) }, annotations: {}, startsAt: '2026-12-01T10:00:00Z' }] });

/** Posts alert `i` as Alertmanager would; true only for a 2xx (anything else: the sender retries later). */
async function deliver(url: string, i: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: body(i) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function setUp(run: ServeRun): Promise<void> {
  const login = await fetch(`${run.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
  expect((await fetch(`${run.url}/api/v1/secrets`, { method: 'POST', headers, body: JSON.stringify({ name: 'KILL_TOKEN', value: TOKEN }) })).status).toBe(201);
  expect((await fetch(`${run.url}/api/v1/alerts/receivers`, { method: 'POST', headers, body: JSON.stringify({ name: 'am', kind: 'alertmanager', token: '${secret:KILL_TOKEN}' }) })).status).toBe(201);
}

describe('kill -9 of the platform while alerts come in', () => {
  it('loses nothing it answered 2xx for; the retried rest is stored once', async () => {
    const database: TestDatabase = await createTestDatabase();
    const home = mkdtempSync(path.join(tmpdir(), 'mcps-kill-'));
    cleanup.push(() => database.drop(), () => rmSync(home, { recursive: true, force: true }));
    const dbLine = database.kind === 'postgres' ? `DATABASE_URL=${database.url}\n` : '';
    writeFileSync(path.join(home, '.env'), `ENVIRONMENT=test\nLOG_LEVEL=warn\nMCPS_ADMIN_PASSWORD=${ADMIN_PASSWORD}\n${dbLine}`);

    const first = serveCli({ cwd: home, port: await freePort() });
    cleanup.push(() => void first.child.kill('SIGKILL'));
    await first.ready();
    await setUp(first);
    const acked = new Set<number>();
    const N = 400;
    let next = 0;
    const sender = async () => {
      while (next < N) {
        const i = next++;
        if (i === 150) first.child.kill('SIGKILL');
        if (await deliver(first.url, i)) acked.add(i);
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await first.exited;
    expect(acked.size).toBeGreaterThan(100);
    expect(acked.size).toBeLessThan(N);

    const second = serveCli({ cwd: home, port: await freePort() });
    cleanup.push(() => void second.child.kill('SIGKILL'));
    await second.ready();
    const login = await fetch(`${second.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const auth = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
    const stored = async () => {
      const res = await fetch(`${second.url}/api/v1/alerts?state=all&group_by=n&limit=5000`, { headers: auth });
      return new Set(((await res.json()) as { groups: { labels: { n: string } }[] }).groups.map((g) => Number(g.labels.n)));
    };
    const afterCrash = await stored();
    const lost = [...acked].filter((i) => !afterCrash.has(i));
    expect(lost, 'acknowledged alerts missing after kill -9').toEqual([]);

    // The sender retries everything that got no 2xx: each alert ends up stored exactly once.
    for (let i = 0; i < N; i++) if (!acked.has(i)) expect(await deliver(second.url, i)).toBe(true);
    const all = await fetch(`${second.url}/api/v1/alerts?state=all&group_by=n&limit=5000`, { headers: auth });
    const groups = ((await all.json()) as { groups: { alerts: unknown[] }[] }).groups;
    expect(groups).toHaveLength(N);
    expect(groups.every((g) => g.alerts.length === 1)).toBe(true);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 180_000);
});
