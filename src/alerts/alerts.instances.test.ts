import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../test/helpers/http-receiver.js';
import { createPlatformDir, startTestPlatform, type TestPlatform } from '../../test/helpers/pipe-platform.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * Several platform instances on one database (SQLite file or PostgreSQL): each accepts webhooks, but
 * only the holder of the `alerts-and-notifications` lease routes alerts and delivers notifications,
 * so a receiver gets each message once; when the holder stops, another instance takes over.
 */
const TTL_MS = 2500;
const SHARED = { MCPS_MASTER_KEY: randomBytes(32).toString('base64'), SECRET_KEY: randomBytes(32).toString('base64url'), MCPS_ALERTS_LEASE_TTL_MS: String(TTL_MS) };
const TOKEN = 'am-token-instances-0123456789';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
}, 60_000);

type Instance = TestPlatform & { auth: { authorization: string } };

async function place() {
  const p = await createPlatformDir();
  cleanup.push(() => p.dispose());
  const rx: HttpReceiver = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }));
  cleanup.push(() => rx.close());
  const start = async (): Promise<Instance & { close(): Promise<void>; routed: string[] }> => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-alert-inst-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const platform = await startTestPlatform(p.database, dir, undefined, SHARED);
    let closed: Promise<void> | null = null;
    const close = () => (closed ??= platform.close());
    cleanup.push(close);
    // Which instance routed what: the routing tells its listeners when a group is due.
    const routed: string[] = [];
    platform.ctx.alerts.events.onNotify((n) => void routed.push(n.group_labels['alertname'] ?? ''));
    platform.ctx.alertsDuty.start();
    return { ...platform, close, routed, auth: await platform.login() };
  };
  return { rx, start };
}

const amBody = (name: string) => ({
  version: '4', groupKey: `{}:{alertname="${name}"}`, truncatedAlerts: 0, status: 'firing', receiver: 'mcps', groupLabels: { alertname: name },
  commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am.example',
  alerts: [{ status: 'firing', labels: { alertname: name, instance: 'db1:9100' }, annotations: { summary: `${name} on db1` }, startsAt: '2026-12-01T10:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom.example/graph' }],
});

async function setUp(a: Instance, rx: HttpReceiver): Promise<void> {
  const post = (url: string, payload: object) => a.app.inject({ method: 'POST', url, headers: a.auth, payload: payload as Record<string, unknown> });
  expect((await post('/api/v1/secrets', { name: 'AM_TOKEN', value: TOKEN })).statusCode).toBe(201);
  expect((await post('/api/v1/alerts/receivers', { name: 'am', kind: 'alertmanager', token: '${secret:AM_TOKEN}' })).statusCode).toBe(201);
  expect((await post('/api/v1/notifications/channels', { name: 'ops-hook', settings: { kind: 'webhook', url: `${rx.url}/ops` } })).statusCode).toBe(201);
  const tree = { receiver: 'ops', channels: ['ops-hook'], group_by: ['alertname'], group_wait_seconds: 0 };
  expect((await a.app.inject({ method: 'PUT', url: '/api/v1/alerts/routing', headers: a.auth, payload: tree })).statusCode).toBe(200);
}

const fire = (on: Instance, name: string) => on.app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: { authorization: `Bearer ${TOKEN}` }, payload: amBody(name) });
const titles = (rx: HttpReceiver) => rx.requests.map((r) => (r.json as { title: string }).title);

describe('alert routing and notifications across instances on one database', () => {
  it('one instance routes and delivers (one message per alert); after it stops, the other takes over', async () => {
    const { rx, start } = await place();
    const a = await start();
    await waitFor(() => a.ctx.alertsDuty.holds(), 20_000, 'the first instance to take the lease');
    const b = await start();
    await setUp(a, rx);

    // Posted to the standby: stored there, routed and delivered by the holder, once.
    expect((await fire(b, 'DiskFull')).statusCode).toBe(200);
    await waitFor(() => rx.requests.length >= 1, 30_000, 'the DiskFull notification');
    expect((await fire(a, 'DiskFull')).statusCode).toBe(200);
    const delivered = async () => (await a.ctx.db.selectFrom('notify_deliveries').select(['status']).execute()).map((d) => d.status);
    await waitFor(async () => (await delivered()).every((s) => s === 'delivered'), 30_000, 'the delivery log to settle');
    expect(await delivered()).toEqual(['delivered']);
    expect(titles(rx)).toHaveLength(1);
    expect(titles(rx)[0]).toContain('DiskFull');
    expect(a.ctx.alertsDuty.holds()).toBe(true);
    expect(b.ctx.alertsDuty.holds()).toBe(false);
    expect([a.routed, b.routed]).toEqual([['DiskFull'], []]);

    // The holder stops (its lease given up): the other instance routes the next alert.
    await a.close();
    await waitFor(() => b.ctx.alertsDuty.holds(), 20_000, 'the second instance to take the lease');
    expect((await fire(b, 'HighLatency')).statusCode).toBe(200);
    await waitFor(() => rx.requests.length >= 2, 30_000, 'the HighLatency notification');
    expect(titles(rx)[1]).toContain('HighLatency');
    expect(b.routed).toEqual(['HighLatency']);
    const rows = (await b.ctx.db.selectFrom('notify_deliveries').select(['status']).execute()).map((d) => d.status);
    expect(rows).toHaveLength(2);
  }, 120_000);
});
