import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REDIS_URL } from '../../test/components.js';
import { needs } from '../../test/helpers/needs.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { fixtureBody } from '../../test/helpers/servers-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { SystemMonitor } from './system-monitor.js';
import { createSystemService, type SystemServiceDeps } from './system.service.js';

let t: TestApp;
let viewer: { authorization: string };
let admin: { authorization: string };

beforeAll(async () => {
  t = await createTestApp({ MCPS_METRICS_INTERVAL_SECONDS: '1', MCPS_METRICS_WINDOW_MINUTES: '30' });
  admin = await t.login();
  viewer = await t.as('viewer');
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/tools', headers: admin, payload: fixtureBody('watched', 'well-behaved') });
  expect(created.statusCode, created.body).toBe(201);
  const started = await t.app.inject({ method: 'POST', url: '/api/v1/tools/watched/start', headers: admin });
  expect(started.json().state).toBe('running');
  const idle = await t.app.inject({ method: 'POST', url: '/api/v1/tools', headers: admin, payload: fixtureBody('idle', 'well-behaved') });
  expect(idle.statusCode).toBe(201);
}, 60_000);
afterAll(async () => t.close(), 60_000);

const get = (url: string, headers = viewer) => t.app.inject({ url: `/api/v1${url}`, headers });

describe('GET /system/info', () => {
  it('describes the runtime, host, database and configuration with real values and no secrets', async () => {
    const res = await get('/system/info');
    expect(res.statusCode, res.body).toBe(200);
    const info = res.json();
    expect(info.node.version).toBe(process.version);
    expect(info.pid).toBe(process.pid);
    expect(info.instance_id).toBe(t.ctx.instanceId);
    expect(info.instance_id).toMatch(new RegExp(`:${process.pid}:`));
    expect(info.cpu.cores).toBeGreaterThan(0);
    expect(info.memory.total_bytes).toBeGreaterThan(info.memory.free_bytes);
    expect(info.disk).toMatchObject({ path: t.config.dataDir });
    expect(info.disk.total_bytes).toBeGreaterThan(info.disk.free_bytes);
    expect(info.database).toMatchObject({ kind: t.database.kind, schema_version: expect.stringMatching(/^\d{3}-/) });
    expect(info.database.version).toMatch(/^\d+\.\d+/);
    expect(info.database.size_bytes).toBeGreaterThan(0);
    expect(info.redis).toEqual({ configured: false, url: null, reachable: null, latency_ms: null, error: null });
    expect(info.config).toMatchObject({ environment: 'test', api_prefix: '/api/v1', log_level: 'info', metrics: { interval_seconds: 1, window_minutes: 30 } });
    expect(Date.parse(info.started_at)).toBeLessThanOrEqual(Date.now());
    expect(res.body).not.toContain(t.config.secretKey);
    expect(res.body).not.toContain('admin-password-for-tests');
  });

  it('reports a configured Redis that does not answer, without its password', async () => {
    const other = await createTestApp({ REDIS_URL: 'redis://:hunter2pass@127.0.0.1:1/0' });
    try {
      const res = await other.app.inject({ url: '/api/v1/system/info', headers: await other.login() });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().redis).toMatchObject({ configured: true, reachable: false });
      expect(res.body).not.toContain('hunter2pass');
    } finally {
      await other.close();
    }
  });

  it.skipIf(!needs('redis'))('reports a reachable Redis with its round-trip time', async () => {
    const other = await createTestApp({ REDIS_URL: DEFAULT_REDIS_URL });
    try {
      const res = await other.app.inject({ url: '/api/v1/system/info', headers: await other.login() });
      expect(res.json().redis).toMatchObject({ configured: true, reachable: true, error: null, latency_ms: expect.any(Number) });
    } finally {
      await other.close();
    }
  });

  it('needs a credential', async () => {
    const res = await t.app.inject({ url: '/api/v1/system/info' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('GET /system/status', () => {
  it('reports live host figures, HTTP rate and a line per managed server', async () => {
    for (let i = 0; i < 5; i++) await t.app.inject({ url: '/health' });
    await t.app.inject({ url: '/api/v1/nope' });
    const res = await get('/system/status');
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    expect(s.memory.total_bytes).toBeGreaterThan(0);
    expect(s.memory.used_percent).toBeGreaterThan(0);
    expect(s.memory.process_rss_bytes).toBeGreaterThan(10_000_000);
    expect(s.load['1m']).toBeGreaterThanOrEqual(0);
    expect(s.cpu.cores).toBeGreaterThan(0);
    expect(s.handles.total).toBeGreaterThan(0);
    expect(s.disk.total_bytes).toBeGreaterThan(0);
    expect(s.http.requests).toBeGreaterThanOrEqual(6);
    expect(s.http.requests_per_second).toBeGreaterThan(0);
    expect(s.http.p95_ms).toEqual(expect.any(Number));
    expect(s.servers.total).toBe(2);
    expect(s.servers.by_state).toEqual({ running: 1, stopped: 1 });
    const watched = s.servers.items.find((x: { name: string }) => x.name === 'watched');
    expect(watched).toMatchObject({ state: 'running', restarts: 0, enabled: true });
    expect(watched.pid).toBeGreaterThan(0);
    expect(watched.rss_bytes).toBeGreaterThan(1_000_000);
    expect(watched.cpu_percent).toEqual(expect.any(Number));
    expect(s.servers.items.find((x: { name: string }) => x.name === 'idle')).toMatchObject({ state: 'stopped', pid: null, cpu_percent: null });
  });
});

describe('GET /system/metrics', () => {
  it('keeps host and managed-server samples taken every interval', async () => {
    t.ctx.system.start();
    await waitFor(async () => (await get('/system/metrics')).json().host.length >= 3, 30_000, 'three host samples');
    const m = (await get('/system/metrics')).json();
    expect(m).toMatchObject({ interval_seconds: 1, window_seconds: 1800, step_seconds: null });
    const last = m.host.at(-1);
    expect(last.memory_total_bytes).toBeGreaterThan(0);
    expect(last.process_rss_bytes).toBeGreaterThan(0);
    expect(last.event_loop_lag_ms).toEqual(expect.any(Number));
    expect(m.servers.watched.length).toBeGreaterThanOrEqual(2);
    expect(m.servers.watched.at(-1)).toMatchObject({ state: 'running' });
    expect(m.servers.watched.at(-1).rss_bytes).toBeGreaterThan(0);
    const times = m.host.map((x: { time: string }) => x.time);
    expect([...times].sort()).toEqual(times);
  });

  it('since= returns only newer samples; step= merges them (calls add up)', async () => {
    const all = (await get('/system/metrics')).json();
    const since = all.host.at(-2).time;
    const newer = (await get(`/system/metrics?since=${encodeURIComponent(since)}`)).json();
    expect(newer.host.length).toBeGreaterThanOrEqual(2);
    expect(newer.host.every((x: { time: string }) => x.time >= since)).toBe(true);
    const merged = (await get('/system/metrics?step=3600')).json();
    expect(merged.step_seconds).toBe(3600);
    expect(merged.host.length).toBeLessThanOrEqual(2);
    expect(merged.host.length).toBeLessThan(all.host.length);
  });

  it.each([
    ['since=yesterday', 'querystring.since'],
    ['since=2999-01-01T00:00:00Z', 'querystring.since'],
    ['step=0', 'querystring.step'],
    ['step=abc', 'querystring.step'],
  ])('?%s is refused with 400 problem+json', async (query, field) => {
    const res = await get(`/system/metrics?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await get('/system/status')).statusCode).toBe(200);
  });

  it('a fine step over a short range is fine (1-second step over 25 minutes: 1,500 points)', async () => {
    const since = encodeURIComponent(new Date(Date.now() - 25 * 60_000).toISOString());
    expect((await get(`/system/metrics?step=1&since=${since}`)).statusCode).toBe(200);
  });

  it('a long range at a fine step is refused with the smallest step that works', async () => {
    // A week of history (a monitor started a week ago, with a 7-day window).
    const week = 7 * 24 * 60 * 60 * 1000;
    const monitor = { windowMs: week, intervalMs: 5000, createdAt: Date.now() - week, query: () => ({ host: [], servers: {} }) };
    const sut = createSystemService({ ...(t.ctx as unknown as SystemServiceDeps), monitor: monitor as unknown as SystemMonitor });
    expect(() => sut.metrics({ step: 1 })).toThrow(/use step >= 121/);
    expect(sut.metrics({ step: 121 })).toMatchObject({ step_seconds: 121, host: [] });
  });
});
