import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCaller } from '../secrets/secret-caller.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

const CLI = localCaller('cli', 'test');
let t: TestApp;
let admin: { authorization: string };

const amBody = (status: 'firing' | 'resolved', extra: Record<string, unknown> = {}) => ({
  version: '4', groupKey: '{}:{alertname="DiskFull"}', truncatedAlerts: 0, status, receiver: 'mcps', groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull' }, commonAnnotations: {}, externalURL: 'http://am:9093', futureField: { any: 1 },
  alerts: [{ status, labels: { alertname: 'DiskFull', instance: 'db1:9100' }, annotations: { summary: 'disk 95%' }, startsAt: '2026-12-01T10:00:00.000Z', endsAt: status === 'resolved' ? '2026-12-01T10:30:00Z' : '0001-01-01T00:00:00Z', generatorURL: 'http://prom/graph', fingerprint: 'a1b2c3d4e5f60718', ...extra }],
});

const post = (url: string, body: unknown, headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
const count = async () => Number((await t.ctx.db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
  await t.ctx.secrets.create({ name: 'AM_TOKEN', value: 'am-token-1234567890' }, CLI);
  await t.ctx.secrets.create({ name: 'HOOK_KEY', value: 'hmac-key-abcdef' }, CLI);
  const mk = (body: object) => t.app.inject({ method: 'POST', url: '/api/v1/alerts/receivers', headers: admin, payload: body as Record<string, unknown> });
  expect((await mk({ name: 'am', kind: 'alertmanager', token: '${secret:AM_TOKEN}' })).statusCode).toBe(201);
  expect((await mk({ name: 'signed', kind: 'generic', hmac_secret: '${secret:HOOK_KEY}', timestamp_header: 'X-Timestamp', tolerance_seconds: 300,
    mapping: { alerts: '$.events', status: '$.state', labels: { alertname: '$.rule', host: "$.tags['host']" }, annotations: { summary: '$.text' } } })).statusCode).toBe(201);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('Alertmanager webhook', () => {
  it('refuses a missing or wrong token with 401 and stores nothing', async () => {
    expect((await post('/api/v1/webhooks/alertmanager', amBody('firing'), {})).statusCode).toBe(401);
    const wrong = await post('/api/v1/webhooks/alertmanager', amBody('firing'), { authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/problem\+json/);
    expect((await post('/api/v1/webhooks/alertmanager', amBody('firing'), admin)).statusCode).toBe(401);
    expect(await count()).toBe(0);
  });

  it('stores an alert once however often it is delivered, and a resolve closes it', async () => {
    const auth = { authorization: 'Bearer am-token-1234567890' };
    const first = await post('/api/v1/webhooks/alertmanager', amBody('firing'), auth);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ receiver: 'am', received: 1, stored: 1, duplicates: 0 });
    expect((await post('/api/v1/webhooks/alertmanager', amBody('firing'), auth)).json()).toMatchObject({ stored: 0, duplicates: 1 });
    expect((await post('/api/v1/webhooks/alertmanager', amBody('resolved'), auth)).json()).toMatchObject({ stored: 0, resolved: 1 });
    expect((await post('/api/v1/webhooks/alertmanager', amBody('resolved'), auth)).json()).toMatchObject({ duplicates: 1 });
    // Repeats of a stored episode are counted behind (within a second, or at a stop); the flush is that write.
    await t.ctx.alerts.webhooks.flush();
    const rows = await t.ctx.db.selectFrom('alerts').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ fingerprint: 'a1b2c3d4e5f60718', status: 'resolved', ends_at: '2026-12-01T10:30:00.000Z', received_count: 4 });
    const history = await t.app.inject({ url: '/api/v1/alerts?state=all', headers: admin });
    expect(history.json().groups[0]).toMatchObject({ key: 'alertname="DiskFull"', resolved: 1 });
  });

  it('a changed token takes effect at once (the cached credentials are dropped on the change)', async () => {
    await t.ctx.secrets.create({ name: 'ROT_TOKEN', value: 'rot-token-old-0123456789' }, CLI);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/alerts/receivers', headers: admin, payload: { name: 'rot', kind: 'alertmanager', token: '${secret:ROT_TOKEN}' } })).statusCode).toBe(201);
    const send = (token: string) => post('/api/v1/webhooks/alertmanager?receiver=rot', { ...amBody('firing'), alerts: [] }, { authorization: `Bearer ${token}` });
    expect((await send('rot-token-old-0123456789')).statusCode).toBe(200);
    await t.ctx.secrets.update('ROT_TOKEN', { value: 'rot-token-new-0123456789' }, CLI);
    expect((await send('rot-token-old-0123456789')).statusCode).toBe(401);
    expect((await send('rot-token-new-0123456789')).statusCode).toBe(200);
  });

  it('a receiver disabled, enabled again or deleted is refused or accepted at once (its receivers are not read per post, but a change drops them)', async () => {
    await t.ctx.secrets.create({ name: 'OFF_TOKEN', value: 'off-token-0123456789' }, CLI);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/alerts/receivers', headers: admin, payload: { name: 'off', kind: 'alertmanager', token: '${secret:OFF_TOKEN}' } });
    const id = (created.json() as { id: string }).id;
    const send = () => post('/api/v1/webhooks/alertmanager?receiver=off', { ...amBody('firing'), alerts: [] }, { authorization: 'Bearer off-token-0123456789' });
    const change = (payload: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: `/api/v1/alerts/receivers/${id}`, headers: admin, payload });
    expect((await send()).statusCode).toBe(200);
    expect((await change({ enabled: false })).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(401);
    expect((await change({ enabled: true })).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/alerts/receivers/${id}`, headers: admin })).statusCode).toBe(204);
    expect((await send()).statusCode).toBe(401);
  });

  it('a receiver created by another instance (straight into the database) is accepted at once, not refused from this one\'s last read', async () => {
    await t.ctx.secrets.create({ name: 'ELSE_TOKEN', value: 'else-token-0123456789' }, CLI);
    const send = () => post('/api/v1/webhooks/alertmanager?receiver=elsewhere', { ...amBody('firing'), alerts: [] }, { authorization: 'Bearer else-token-0123456789' });
    expect((await send()).statusCode).toBe(401);
    const now = new Date().toISOString();
    await t.ctx.db.insertInto('alert_receivers').values({
      id: 'receiver-made-elsewhere', name: 'elsewhere', kind: 'alertmanager', token_ref: '${secret:ELSE_TOKEN}', hmac_ref: null, signature_header: 'x-signature',
      timestamp_header: null, tolerance_seconds: 300, mapping: null, enabled: 1, description: null, created_at: now, updated_at: now,
    }).execute();
    expect((await send()).statusCode).toBe(200);
  });

  it('takes one body carrying the same alert three times (firing, its resolve, firing again) as three deliveries in that order', async () => {
    const auth = { authorization: 'Bearer am-token-1234567890' };
    const firing = amBody('firing', { fingerprint: 'ffff000011112222' }).alerts[0]!;
    const resolved = amBody('resolved', { fingerprint: 'ffff000011112222' }).alerts[0]!;
    const res = await post('/api/v1/webhooks/alertmanager', { ...amBody('firing'), alerts: [firing, resolved, firing] }, auth);
    expect(res.json()).toMatchObject({ received: 3, stored: 1, resolved: 1, duplicates: 1 });
    const row = await t.ctx.db.selectFrom('alerts').selectAll().where('fingerprint', '=', 'ffff000011112222').execute();
    expect(row).toEqual([expect.objectContaining({ status: 'resolved', ends_at: '2026-12-01T10:30:00.000Z', received_count: 3 })]);
  });

  it('takes concurrent bodies carrying the same alerts in different orders without a 5xx, each alert stored once', async () => {
    const auth = { authorization: 'Bearer am-token-1234567890' };
    const alerts = Array.from({ length: 30 }, (_, i) => ({ status: 'firing', labels: { alertname: 'Load', instance: `host-${i}` }, annotations: {}, startsAt: '2026-12-02T10:00:00.000Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '' }));
    const body = (order: typeof alerts) => ({ ...amBody('firing'), groupKey: '{}:{alertname="Load"}', alerts: order });
    const before = await count();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post('/api/v1/webhooks/alertmanager', body(i % 2 ? [...alerts].reverse() : alerts), auth)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(200));
    expect((await count()) - before).toBe(30);
  });

  it('answers 400 problem+json for a malformed body from an authenticated sender', async () => {
    const auth = { authorization: 'Bearer am-token-1234567890' };
    const bad = await post('/api/v1/webhooks/alertmanager', '{"alerts": [', auth);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/not valid JSON/);
    expect((await post('/api/v1/webhooks/alertmanager', { alerts: [{ status: 'burning', labels: {} }] }, auth)).statusCode).toBe(400);
    expect((await post('/api/v1/webhooks/alertmanager', '{"alerts": [', { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    const huge = await post('/api/v1/webhooks/alertmanager', `{"alerts":[],"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`, auth);
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('Grafana webhook contact point', () => {
  // The example body of Grafana's documentation (alerting, webhook notifier), abridged to one alert.
  const grafana = {
    receiver: 'My Super Webhook', status: 'firing', orgId: 1,
    alerts: [{
      status: 'firing', labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
      annotations: { description: 'The system has high memory usage', runbook_url: 'https://myrunbook.com/runbook/1234', summary: 'This alert was triggered for zone us-1' },
      startsAt: '2021-10-12T09:51:03.157076+02:00', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'https://play.grafana.org/alerting/1afz29v7z/edit', fingerprint: 'c6eadffa33fcdf37',
      silenceURL: 'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
      dashboardURL: '', panelURL: '', values: { B: 44.23943737541908, C: 1 }, valueString: "[ var='B' labels={__name__=go_threads} value=44.23943737541908 ]",
    }],
    groupLabels: {}, commonLabels: { team: 'blue' }, commonAnnotations: {}, externalURL: 'https://play.grafana.org/', version: '1', groupKey: '{}:{}', truncatedAlerts: 0,
    title: '[FIRING:1]  (blue)', state: 'alerting', message: '**Firing**\n\nLabels:\n - alertname = High memory usage',
  };

  it('stores Grafana\'s alert with its values and links', async () => {
    await t.ctx.secrets.create({ name: 'GRAFANA_TOKEN', value: 'grafana-token-xyz' }, CLI);
    await t.app.inject({ method: 'POST', url: '/api/v1/alerts/receivers', headers: admin, payload: { name: 'grafana', kind: 'grafana', token: '${secret:GRAFANA_TOKEN}' } });
    const res = await post('/api/v1/webhooks/grafana', grafana, { authorization: 'Bearer grafana-token-xyz' });
    expect(res.statusCode).toBe(200);
    const row = await t.ctx.db.selectFrom('alerts').selectAll().where('fingerprint', '=', 'c6eadffa33fcdf37').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'grafana', starts_at: '2021-10-12T07:51:03.157Z', status: 'firing' });
    expect(JSON.parse(row.extra!)).toEqual({ values: { B: 44.23943737541908, C: 1 }, valueString: grafana.alerts[0]!.valueString, silenceURL: grafana.alerts[0]!.silenceURL });
    expect((await post('/api/v1/webhooks/grafana', grafana, { authorization: 'Bearer am-token-1234567890' })).statusCode).toBe(401);
  });
});

describe('generic webhook with HMAC and timestamp', () => {
  const body = JSON.stringify({ events: [{ rule: 'QueueStuck', state: 'alerting', tags: { host: 'mq1' }, text: 'queue stuck' }] });
  const sign = (ts: number, raw: string, key = 'hmac-key-abcdef') => createHmac('sha256', key).update(`${ts}.${raw}`).digest('hex');

  it('accepts a fresh signature and computes the fingerprint from the labels', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const res = await post('/api/v1/webhooks/generic/signed', body, { 'x-timestamp': String(ts), 'x-signature': `sha256=${sign(ts, body)}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stored: 1 });
    const row = await t.ctx.db.selectFrom('alerts').selectAll().where('source', '=', 'generic').executeTakeFirstOrThrow();
    expect(JSON.parse(row.labels)).toEqual({ alertname: 'QueueStuck', host: 'mq1' });
  });

  it('refuses a replayed timestamp outside the window, a wrong key and a changed body', async () => {
    const before = await count();
    const old = Math.floor(Date.now() / 1000) - 301;
    expect((await post('/api/v1/webhooks/generic/signed', body, { 'x-timestamp': String(old), 'x-signature': sign(old, body) })).json().detail).toMatch(/tolerance/);
    const ts = Math.floor(Date.now() / 1000);
    expect((await post('/api/v1/webhooks/generic/signed', body, { 'x-timestamp': String(ts), 'x-signature': sign(ts, body, 'other') })).statusCode).toBe(401);
    expect((await post('/api/v1/webhooks/generic/signed', body.replace('mq1', 'mq2'), { 'x-timestamp': String(ts), 'x-signature': sign(ts, body) })).statusCode).toBe(401);
    expect(await count()).toBe(before);
  });
});

describe('a failure to store', () => {
  it('answers 5xx and keeps none of the body (one transaction), so the sender retries it whole', async () => {
    // A trigger refuses the second alert of the body, after the first was inserted.
    if (t.ctx.dialect === 'sqlite') {
      await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON alerts WHEN NEW.labels LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'disk full'); END`.execute(t.ctx.db);
    } else {
      await sql`CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW.labels LIKE '%boom%' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(t.ctx.db);
      await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION refuse_boom()`.execute(t.ctx.db);
    }
    const before = await count();
    const body = amBody('firing');
    body.alerts = [{ ...body.alerts[0]!, fingerprint: 'ffff000011112222', labels: { alertname: 'First', instance: 'a' } }, { ...body.alerts[0]!, fingerprint: 'ffff000011113333', labels: { alertname: 'boom', instance: 'b' } }];
    const res = await post('/api/v1/webhooks/alertmanager', body, { authorization: 'Bearer am-token-1234567890' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/disk full/);
    expect(await count()).toBe(before);
    await sql`DROP TRIGGER refuse_boom${sql.raw(t.ctx.dialect === 'sqlite' ? '' : ' ON alerts')}`.execute(t.ctx.db);
  });
});
