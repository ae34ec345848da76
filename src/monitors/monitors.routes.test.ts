import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

let t: TestApp;
let admin: { authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = admin) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

function listen(server: Server | TcpServer, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
const close = (server: Server | TcpServer) => new Promise<void>((resolve) => server.close(() => resolve()));

async function firingMonitorAlerts(name: string): Promise<{ status: string; labels: Record<string, string> }[]> {
  const res = await api('GET', `/alerts?state=all&matchers=${encodeURIComponent(`monitor="${name}"`)}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ groups: { alerts: { status: string; labels: Record<string, string> }[] }[] }>().groups.flatMap((g) => g.alerts);
}

describe('HTTP monitor against a server the test starts and stops', () => {
  it('goes down after N failures and opens an alert; back up it recovers and the alert resolves', async () => {
    const port = await freePort();
    const handler = (_req: unknown, res: import('node:http').ServerResponse) => res.end(JSON.stringify({ status: 'ok', db: { state: 'green' } }));
    let server = createHttpServer(handler);
    await listen(server, port);

    const created = await api('POST', '/monitors', { name: 'web-api', check: { kind: 'http', target: `http://127.0.0.1:${port}/health`, keyword: 'ok', json_path: '$.db.state', json_equals: 'green' }, failures_before_down: 2, severity: 'warning' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;

    const first = await api('POST', `/monitors/${id}/run`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ result: { ok: true, details: { status: 200, json_value: 'green' } }, monitor: { state: 'up' } });

    await close(server);
    const fail1 = (await api('POST', `/monitors/${id}/run`)).json<{ result: { ok: boolean; error: string }; monitor: { state: string } }>();
    expect(fail1.result).toMatchObject({ ok: false, error: `connection refused by 127.0.0.1:${port}` });
    expect(fail1.monitor.state).toBe('up');
    expect(await firingMonitorAlerts('web-api')).toEqual([]);
    const fail2 = (await api('POST', `/monitors/${id}/run`)).json<{ monitor: { state: string; alert_open: boolean } }>();
    expect(fail2.monitor).toMatchObject({ state: 'down', alert_open: true });
    expect(await firingMonitorAlerts('web-api')).toEqual([expect.objectContaining({ status: 'firing', labels: expect.objectContaining({ alertname: 'MonitorDown', monitor: 'web-api', severity: 'warning' }) })]);

    server = createHttpServer(handler);
    await listen(server, port);
    const back = (await api('POST', `/monitors/${id}/run`)).json<{ monitor: { state: string; alert_open: boolean } }>();
    expect(back.monitor).toMatchObject({ state: 'up', alert_open: false });
    expect(await firingMonitorAlerts('web-api')).toEqual([expect.objectContaining({ status: 'resolved' })]);

    const status = (await api('GET', `/monitors/${id}`)).json<{ events: { from_state: string; to_state: string; reason: string | null }[]; uptime: Record<string, { checks: number; ups: number }> }>();
    expect(status.events.map((e) => `${e.from_state}->${e.to_state}`)).toEqual(['down->up', 'up->down', 'unknown->up']);
    expect(status.uptime['24h']).toMatchObject({ checks: 4, ups: 2 });
    await close(server);
  });

  it('a wrong keyword, a JSON path that is absent and an unexpected status are clear errors', async () => {
    const port = await freePort();
    const server = createHttpServer((req, res) => {
      res.statusCode = req.url === '/500' ? 500 : 200;
      res.end('{"a":1}');
    });
    await listen(server, port);
    const check = async (extra: object, path = '/') => (await api('POST', '/health-checks', { kind: 'http', target: `http://127.0.0.1:${port}${path}`, ...extra })).json<{ ok: boolean; error: string }>();
    expect(await check({ keyword: 'nope' })).toMatchObject({ ok: false, error: "keyword 'nope' not found in the body" });
    expect(await check({ json_path: 'a.b' })).toMatchObject({ ok: false, error: 'a.b not found in the JSON body' });
    expect(await check({}, '/500')).toMatchObject({ ok: false, error: 'status 500' });
    expect(await check({ expect_status: [500] }, '/500')).toMatchObject({ ok: true });
    await close(server);
  });
});

describe('TCP monitor', () => {
  it('goes down when the port closes and comes back when it listens again', async () => {
    const port = await freePort();
    let server = createTcpServer((s) => s.end());
    await listen(server, port);
    const id = (await api('POST', '/monitors', { name: 'tcp-port', check: { kind: 'tcp', target: `127.0.0.1:${port}` }, failures_before_down: 1 })).json<{ id: string }>().id;
    expect((await api('POST', `/monitors/${id}/run`)).json()).toMatchObject({ result: { ok: true }, monitor: { state: 'up' } });
    await close(server);
    expect((await api('POST', `/monitors/${id}/run`)).json()).toMatchObject({ result: { ok: false, error: expect.stringContaining('connection refused') }, monitor: { state: 'down', alert_open: true } });
    server = createTcpServer((s) => s.end());
    await listen(server, port);
    expect((await api('POST', `/monitors/${id}/run`)).json()).toMatchObject({ result: { ok: true }, monitor: { state: 'up', alert_open: false } });
    await close(server);
  });
});

describe('DNS check', () => {
  it('resolves localhost; a name that does not resolve is a clear error', async () => {
    const ok = await api('POST', '/health-checks', { kind: 'dns', target: 'localhost' });
    expect(ok.json()).toMatchObject({ ok: true, details: { answer: expect.arrayContaining([expect.stringMatching(/^(127\.0\.0\.1|::1)$/)]) } });
    const bad = await api('POST', '/health-checks', { kind: 'dns', target: 'no-such-host.invalid' });
    expect(bad.json()).toMatchObject({ ok: false, error: expect.stringMatching(/'no-such-host\.invalid' (does not resolve|timed out)/) });
  });
});

describe('safety and bad input', () => {
  it('refuses metadata addresses and names in any spelling, on create and on a check now', async () => {
    for (const target of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://metadata.google.internal/']) {
      const res = await api('POST', '/monitors', { name: `meta-${Math.random().toString(36).slice(2, 8)}`, check: { kind: 'http', target } });
      expect(res.statusCode, target).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toMatch(/metadata/);
    }
    const tcp = await api('POST', '/health-checks', { kind: 'tcp', target: '169.254.169.254:80' });
    expect(tcp.statusCode).toBe(422);
    expect(tcp.json().detail).toMatch(/cloud metadata address/);
  });

  it('bad input answers problem+json naming the field, and the app keeps serving', async () => {
    const noKind = await api('POST', '/monitors', { name: 'x', check: { target: 'http://127.0.0.1/' } });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.headers['content-type']).toContain('application/problem+json');
    const badCron = await api('POST', '/monitors', { name: 'cronbad', check: { kind: 'tcp', target: '127.0.0.1:1' }, cron: 'every minute' });
    expect(badCron.statusCode).toBe(422);
    expect(badCron.json().detail).toMatch(/^cron: not a valid cron expression/);
    const badTcp = await api('POST', '/health-checks', { kind: 'tcp', target: 'no-port' });
    expect(badTcp.statusCode).toBe(422);
    expect(badTcp.json().detail).toBe("check.target: 'no-port' is not host:port");
    const dup = await api('POST', '/monitors', { name: 'dup', check: { kind: 'tcp', target: '127.0.0.1:9' } });
    expect(dup.statusCode).toBe(201);
    expect((await api('POST', '/monitors', { name: 'dup', check: { kind: 'tcp', target: '127.0.0.1:9' } })).statusCode).toBe(409);
    expect((await api('GET', '/monitors/nosuch')).statusCode).toBe(404);
    expect((await api('GET', '/monitors')).statusCode).toBe(200);
  });

  it('only admins create monitors or run ad-hoc checks; viewers read, operators run one now', async () => {
    const viewer = await t.as('viewer');
    const operator = await t.as('operator');
    expect((await api('POST', '/monitors', { name: 'v', check: { kind: 'tcp', target: '127.0.0.1:9' } }, viewer)).statusCode).toBe(403);
    expect((await api('POST', '/health-checks', { kind: 'tcp', target: '127.0.0.1:9' }, operator)).statusCode).toBe(403);
    expect((await api('GET', '/monitors', undefined, viewer)).statusCode).toBe(200);
    const id = (await api('GET', '/monitors')).json<{ items: { id: string }[] }>().items[0]!.id;
    expect((await api('POST', `/monitors/${id}/run`, undefined, operator)).statusCode).toBe(200);
    expect((await api('POST', `/monitors/${id}/run`, undefined, viewer)).statusCode).toBe(403);
  });
});

describe('push monitor and maintenance', () => {
  it('a job pushes with its token; a wrong token is 401; a maintenance window keeps the alert closed', async () => {
    const created = await api('POST', '/monitors', { name: 'nightly-job', check: { kind: 'push' }, interval_seconds: 3600, failures_before_down: 1 });
    expect(created.statusCode, created.body).toBe(201);
    const { id, push_url } = created.json<{ id: string; push_url: string }>();
    expect(push_url).toMatch(/^\/api\/v1\/monitors\/push\/[\w-]{20,}$/);
    const pushed = await t.app.inject({ method: 'GET', url: push_url });
    expect(pushed.json()).toMatchObject({ ok: true, monitor: 'nightly-job', state: 'up' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/monitors/push/not-the-token-at-all' })).statusCode).toBe(401);

    const w = await api('POST', `/monitors/${id}/maintenance`, { duration_minutes: 30, comment: 'deploy' });
    expect(w.statusCode, w.body).toBe(201);
    const down = await t.app.inject({ method: 'POST', url: `${push_url}?status=down&msg=${encodeURIComponent('disk full')}` });
    expect(down.json()).toMatchObject({ state: 'down' });
    const status = (await api('GET', `/monitors/${id}`)).json<{ alert_open: boolean; in_maintenance: boolean; events: { to_state: string; suppressed: boolean; reason: string }[] }>();
    expect(status).toMatchObject({ alert_open: false, in_maintenance: true });
    expect(status.events[0]).toMatchObject({ to_state: 'down', suppressed: true, reason: 'disk full' });
    expect(await firingMonitorAlerts('nightly-job')).toEqual([]);

    // The window removed, the next failure opens the alert.
    expect((await api('DELETE', `/monitors/maintenance/${w.json<{ id: string }>().id}`)).statusCode).toBe(204);
    await t.app.inject({ method: 'POST', url: `${push_url}?status=down` });
    expect(await firingMonitorAlerts('nightly-job')).toEqual([expect.objectContaining({ status: 'firing' })]);
    expect((await api('DELETE', `/monitors/${id}`)).statusCode).toBe(204);
    expect(await firingMonitorAlerts('nightly-job')).toEqual([expect.objectContaining({ status: 'resolved' })]);
  });
});

describe('GET /system/health', () => {
  it("shows the platform's own checks and stays ok on a fresh install", async () => {
    const res = await t.app.inject({ url: '/api/v1/system/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ status: string; checks: { name: string; status: string }[] }>();
    expect(body.status).toBe('ok');
    expect(body.checks.map((c) => c.name).sort()).toEqual(['backups', 'database', 'disk', 'servers']);
  });
});
