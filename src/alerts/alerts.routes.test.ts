import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCaller } from '../secrets/secret-caller.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

const CLI = localCaller('cli', 'test');
let t: TestApp;
let viewer: { authorization: string };
let operator: { authorization: string };
let admin: { authorization: string };
let alertId: string;

beforeAll(async () => {
  t = await createTestApp();
  [viewer, operator, admin] = [await t.as('viewer'), await t.as('operator'), await t.login()];
  await t.ctx.secrets.create({ name: 'TOK', value: 'x' }, CLI);
  const r = await t.ctx.alerts.receivers.create({ name: 'am', kind: 'alertmanager', token: '${secret:TOK}' }, CLI);
  await t.ctx.alerts.webhooks.ingest(await t.ctx.alerts.receivers.find(r.id), { alerts: [
    { status: 'firing', labels: { alertname: 'DiskFull', instance: 'db1', severity: 'critical' }, startsAt: '2026-12-01T10:00:00Z' },
    { status: 'firing', labels: { alertname: 'DiskFull', instance: 'db2', severity: 'warning' }, startsAt: '2026-12-01T10:00:00Z' },
  ] });
  alertId = (await t.ctx.db.selectFrom('alerts').select('id').where('labels', 'like', '%db1%').executeTakeFirstOrThrow()).id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const req = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: object, payload?: object) =>
  t.app.inject({ method, url, headers: headers as Record<string, string>, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });

describe('/api/v1/alerts and /api/v1/silences', () => {
  it('filters by matchers; viewers read, operators ack, note and resolve, each change audited', async () => {
    const critical = await req('GET', `/api/v1/alerts?matchers=${encodeURIComponent('severity="critical"')}&group_by=alertname,instance`, viewer);
    expect(critical.json().groups.map((g: { key: string }) => g.key)).toEqual(['alertname="DiskFull",instance="db1"']);
    expect((await req('POST', `/api/v1/alerts/${alertId}/ack`, viewer, {})).statusCode).toBe(403);
    expect((await req('POST', `/api/v1/alerts/${alertId}/ack`, operator, { comment: 'on it' })).json()).toMatchObject({ acked_by: expect.stringMatching(/^operator/) });
    expect((await req('POST', `/api/v1/alerts/${alertId}/notes`, operator, { text: 'swapping the disk' })).statusCode).toBe(201);
    const resolved = await req('POST', `/api/v1/alerts/${alertId}/resolve`, operator);
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolved_by: expect.stringMatching(/^operator/) });
    const detail = (await req('GET', `/api/v1/alerts/${alertId}`, viewer)).json();
    expect(detail.notes).toEqual([expect.objectContaining({ text: 'on it' }), expect.objectContaining({ text: 'swapping the disk' })]);
    const actions = (await t.ctx.db.selectFrom('operation_logs').select(['action', 'outcome']).where('target_id', '=', alertId).execute()).map((r) => `${r.action} ${r.outcome}`);
    expect(actions.sort()).toEqual(['alert.ack failure', 'alert.ack success', 'alert.note.create success', 'alert.resolve success']);
    expect((await req('GET', '/api/v1/alerts?matchers=job%3D~%22(bad%22', viewer)).statusCode).toBe(400);
  });

  it('a silence mutes matching alerts until it is expired', async () => {
    const created = await req('POST', '/api/v1/silences', operator, { matchers: [{ name: 'instance', op: '=~', value: 'db.*' }], duration_minutes: 60, comment: 'maintenance' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const muted = await req('GET', '/api/v1/alerts?include_muted=false', viewer);
    expect(muted.json().total).toBe(0);
    const all = await req('GET', '/api/v1/alerts', viewer);
    expect(all.json().groups[0].alerts[0].silenced_by).toEqual([id]);
    expect((await req('POST', `/api/v1/silences/${id}/expire`, operator)).json()).toMatchObject({ state: 'expired' });
    expect((await req('GET', '/api/v1/alerts?include_muted=false', viewer)).json().total).toBe(1);
    expect((await req('POST', '/api/v1/silences', operator, { matchers: [{ name: 'x', op: '=', value: 'y' }], comment: 'no end' })).statusCode).toBe(400);
  });

  it('only admins manage receivers and inhibition rules; a receiver shows references, never values', async () => {
    expect((await req('POST', '/api/v1/alerts/receivers', operator, { name: 'x', kind: 'alertmanager', token: '${secret:TOK}' })).statusCode).toBe(403);
    expect((await req('POST', '/api/v1/alerts/receivers', admin, { name: 'plain', kind: 'alertmanager', token: 'clear-text-token' })).statusCode).toBe(400);
    expect((await req('POST', '/api/v1/alerts/receivers', admin, { name: 'none', kind: 'alertmanager' })).json().detail).toMatch(/needs a token, an hmac_secret, or both/);
    const list = (await req('GET', '/api/v1/alerts/receivers', viewer)).json();
    expect(list.items).toEqual([expect.objectContaining({ name: 'am', token: '${secret:TOK}', url: '/api/v1/webhooks/alertmanager?receiver=am' })]);
    const rule = { name: 'crit-mutes-warn', source_matchers: [{ name: 'severity', op: '=', value: 'critical' }], target_matchers: [{ name: 'severity', op: '=', value: 'warning' }], equal: ['alertname'] };
    expect((await req('POST', '/api/v1/alerts/inhibit-rules', operator, rule)).statusCode).toBe(403);
    expect((await req('POST', '/api/v1/alerts/inhibit-rules', admin, rule)).statusCode).toBe(201);
  });
});
