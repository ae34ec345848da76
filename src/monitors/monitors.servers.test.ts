import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/helpers/fixtures.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createMonitorsRuntime } from './monitors-runtime.js';

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url: `/api/v1${url}`, headers: admin, ...(payload ? { payload } : {}) });

describe('a managed MCP server as a check target', () => {
  it('is up while it runs (ping + tools/list) and down with the reason once stopped; the platform health counts it', async () => {
    expect((await api('POST', '/tools', { name: 'calc', transport: 'stdio', command: process.execPath, args: [fixturePath('well-behaved')], restart_policy: 'never' })).statusCode).toBe(201);
    expect((await api('POST', '/tools/calc/start')).statusCode).toBe(200);
    const up = await api('POST', '/health-checks', { kind: 'mcp', target: 'calc' });
    expect(up.json()).toMatchObject({ ok: true, details: { tools: expect.any(Number) } });
    expect(up.json().details.tools).toBeGreaterThan(0);
    const health = (await t.app.inject({ url: '/api/v1/system/health' })).json<{ checks: { name: string; detail: string }[] }>();
    expect(health.checks.find((c) => c.name === 'servers')?.detail).toBe('1 of 1 managed servers running');

    expect((await api('POST', '/tools/calc/stop')).statusCode).toBe(200);
    const down = await api('POST', '/health-checks', { kind: 'mcp', target: 'calc' });
    expect(down.json()).toMatchObject({ ok: false, error: 'server \'calc\': MCP server "calc" is stopped' });
  }, 60_000);
});

describe('instances sharing the database', () => {
  it('exactly one runs the monitors (the scheduler lease holder); it hands over when it stops', async () => {
    const make = (instanceId: string) => createMonitorsRuntime({
      db: t.ctx.db, audit: t.ctx.audit, alertsWake: () => {}, instanceId,
      checks: { resolveSecrets: async (s) => s, connectionOf: async () => { throw new Error('none'); } },
      apiPrefix: '/api/v1', config: { rawRetentionHours: 2, maxMonitors: 10 },
      platform: { redisUrl: undefined, serverStates: () => [], dataDir: t.dir, newestBackup: async () => null, backupSchedule: null, diskMinFreePercent: 1, backupMaxAgeHours: 48, startedAt: Date.now() },
    });
    const a = make('instance-a');
    const b = make('instance-b');
    await a.start();
    await b.start();
    expect([a.leader(), b.leader()]).toEqual([true, false]);
    await a.stop();
    await b.stop();
    const c = make('instance-c');
    await c.start();
    expect(c.leader()).toBe(true);
    await c.stop();
  });
});
