import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../test/helpers/http-receiver.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { localCaller } from '../secrets/secret-caller.js';

const CLI = localCaller('cli', 'test');
let t: TestApp;
let rx: HttpReceiver;
let admin: { authorization: string };

const amBody = (status: 'firing' | 'resolved') => ({
  version: '4', groupKey: '{}:{alertname="DiskFull"}', truncatedAlerts: 0, status, receiver: 'mcps', groupLabels: { alertname: 'DiskFull' },
  commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am.example',
  alerts: [{ status, labels: { alertname: 'DiskFull', instance: 'db1:9100', severity: 'critical' }, annotations: { summary: '磁盘将满' },
    startsAt: '2026-12-01T10:00:00Z', endsAt: status === 'resolved' ? '2026-12-01T10:30:00Z' : '0001-01-01T00:00:00Z', generatorURL: 'http://prom.example/graph', fingerprint: 'b4d6630a68cc0c1c' }],
});

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
  rx = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }));
  await t.ctx.secrets.create({ name: 'AM_TOKEN', value: 'am-token-1234567890' }, CLI);
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: admin, payload: payload as Record<string, unknown> });
  expect((await post('/api/v1/alerts/receivers', { name: 'am', kind: 'alertmanager', token: '${secret:AM_TOKEN}' })).statusCode).toBe(201);
  expect((await post('/api/v1/notifications/channels', { name: 'ops-hook', language: 'zh-CN', settings: { kind: 'webhook', url: `${rx.url}/ops` } })).statusCode).toBe(201);
  const tree = { receiver: 'ops', channels: ['ops-hook', 'gone-channel'], group_by: ['alertname'], group_wait_seconds: 0, group_interval_seconds: 0 };
  const put = await t.app.inject({ method: 'PUT', url: '/api/v1/alerts/routing', headers: admin, payload: tree });
  expect(put.statusCode, put.body).toBe(200);
}, 60_000);
afterAll(async () => {
  await rx?.close();
  await t?.close();
});

const deliver = async () => {
  await t.ctx.alerts.dispatcher.tick();
  await t.ctx.notify.worker.tick();
};
const fire = (status: 'firing' | 'resolved') =>
  t.app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: { authorization: 'Bearer am-token-1234567890' }, payload: amBody(status) });

/** Alerts in, routed, notifications out: the two domains wired as `mcps serve` runs them. */
describe('alert routing -> notifications', () => {
  it('a routed group reaches the route channel in its language; a missing channel is skipped; the resolve follows', async () => {
    expect((await fire('firing')).statusCode).toBe(200);
    await deliver();
    expect(rx.requests).toHaveLength(1);
    const firing = rx.requests[0]!.json as { title: string; text: string; severity: string };
    expect(firing.severity).toBe('critical');
    expect(firing.title).toContain('DiskFull');
    expect(firing.text).toContain('磁盘将满');
    expect(firing.text).toMatch(/告警中/);

    expect((await fire('firing')).statusCode).toBe(200);
    await deliver();
    expect(rx.requests).toHaveLength(1);

    expect((await fire('resolved')).statusCode).toBe(200);
    await deliver();
    expect(rx.requests).toHaveLength(2);
    expect((rx.requests[1]!.json as { severity: string }).severity).toBe('resolved');
    const log = await t.app.inject({ method: 'GET', url: '/api/v1/notifications/deliveries', headers: admin });
    expect((log.json() as { items: { status: string }[] }).items.map((d) => d.status)).toEqual(['delivered', 'delivered']);
  });
});
