import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCaller } from '../secrets/secret-caller.js';
import { startAlertmanager, type RunningAlertmanager } from '../../test/helpers/alertmanager.js';
import { needs } from '../../test/helpers/needs.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { AlertNotification } from './alert-events.js';
import { fingerprintOf } from './fingerprint.js';

const CLI = localCaller('cli', 'test');
const TOKEN = 'am-webhook-token-0123456789';

/**
 * Alertmanager's config: one route to the platform's webhook, with bearer credentials, short timers.
 * A new group waits group_wait for more alerts, unless its first alert started longer than group_wait
 * ago (then Alertmanager flushes at once, racing the rest of the same post): the alerts' start is
 * taken just before they are posted, and group_wait leaves a loaded machine time to insert them all.
 */
const config = (webhookUrl: string, credentials: string) => `
route:
  receiver: mcps
  group_by: ['alertname']
  group_wait: 3s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: mcps
    webhook_configs:
      - url: '${webhookUrl}'
        send_resolved: true
        max_alerts: 0
        http_config:
          authorization:
            type: Bearer
            credentials: '${credentials}'
`;

let t: TestApp;
let dir: string;
let webhookUrl: string;
const running: RunningAlertmanager[] = [];
const sent: AlertNotification[] = [];

const alertsIn = () => t.ctx.db.selectFrom('alerts').selectAll().orderBy('fingerprint').execute();
const disk = (instance: string, endsAt?: string) => ({ labels: { alertname: 'DiskFull', instance, severity: 'page' }, annotations: { summary: `disk full on ${instance}` }, startsAt: START, ...(endsAt ? { endsAt } : {}), generatorURL: 'http://prometheus.local/graph' });
/** When the alerts started: set just before they are first posted (see `config`). */
let START = new Date().toISOString();

async function start(credentials: string): Promise<RunningAlertmanager> {
  const am = await startAlertmanager(path.join(dir, `am${running.length}`), config(webhookUrl, credentials));
  running.push(am);
  return am;
}

describe.skipIf(!needs('alertmanager'))('a real Prometheus Alertmanager posting to the webhook', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcps-am-'));
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    await t.ctx.secrets.create({ name: 'AM_WEBHOOK_TOKEN', value: TOKEN }, CLI);
    await t.ctx.alerts.receivers.create({ name: 'prod-am', kind: 'alertmanager', token: '${secret:AM_WEBHOOK_TOKEN}' }, CLI);
    webhookUrl = `http://127.0.0.1:${port}/api/v1/webhooks/alertmanager?receiver=prod-am`;
    // The platform's own routing notifies at once (its timers are tested with a clock in routing-dispatcher.test.ts).
    await t.ctx.alerts.routing.setTree({ receiver: 'oncall', group_by: ['alertname'], group_wait_seconds: 0, group_interval_seconds: 0 }, CLI);
    t.ctx.alerts.events.onNotify((n) => void sent.push(n));
  }, 60_000);
  afterAll(async () => {
    for (const am of running) await am.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('with a wrong token: 401 (recorded in the operation log) and nothing stored', async () => {
    const am = await start('not-the-token');
    await am.postAlerts([disk('db1:9100')]);
    const refused = () => t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'alert.webhook.receive').where('status_code', '=', 401).execute();
    await waitFor(async () => (await refused()).length > 0, 20_000, `a refused webhook\n${am.output()}`);
    await waitFor(() => /status code 401/.test(am.output()), 10_000, `alertmanager reporting the 401\n${am.output()}`);
    expect(await alertsIn()).toEqual([]);
    await am.close();
  }, 40_000);

  it('with the right token: alerts arrive grouped with its fingerprints, are stored once, and resolve', async () => {
    const am = await start(TOKEN);
    START = new Date().toISOString();
    await am.postAlerts([disk('db1:9100'), disk('db2:9100')]);
    await waitFor(async () => (await alertsIn()).length === 2, 20_000, `two alerts stored\n${am.output()}`);
    // Alertmanager's own fingerprints, as it reports them, equal ours computed from the labels.
    const amAlerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as { fingerprint: string; labels: Record<string, string> }[];
    expect(amAlerts).toHaveLength(2);
    for (const a of amAlerts) expect(fingerprintOf(a.labels)).toBe(a.fingerprint);
    const rows = await alertsIn();
    expect(rows.map((r) => r.fingerprint).sort()).toEqual(amAlerts.map((a) => a.fingerprint).sort());
    // Grouped by alertname, both came in one webhook body (one transaction: one receipt time).
    expect(rows[0]!.first_received_at).toBe(rows[1]!.first_received_at);
    await t.ctx.alerts.dispatcher.tick();
    expect(sent.map((n) => [n.status, n.group_labels, n.firing.length, n.resolved.length])).toEqual([['firing', { alertname: 'DiskFull' }, 2, 0]]);
    expect(rows.every((r) => r.status === 'firing' && r.starts_at === new Date(START).toISOString())).toBe(true);

    // The same alerts again (Prometheus re-sends every evaluation): still two rows.
    await am.postAlerts([disk('db1:9100'), disk('db2:9100')]);
    const grouped = await t.app.inject({ url: '/api/v1/alerts', headers: await t.login() });
    expect(grouped.json().groups).toEqual([expect.objectContaining({ key: 'alertname="DiskFull"', firing: 2 })]);

    const ended = new Date().toISOString();
    await am.postAlerts([disk('db1:9100', ended), disk('db2:9100', ended)]);
    await waitFor(async () => (await alertsIn()).every((r) => r.status === 'resolved'), 20_000, `alerts resolved\n${am.output()}`);
    const after = await alertsIn();
    expect(after).toHaveLength(2);
    expect(after.map((r) => r.ends_at)).toEqual([new Date(ended).toISOString(), new Date(ended).toISOString()]);
    await t.ctx.alerts.dispatcher.tick();
    expect(sent.map((n) => [n.status, n.firing.length, n.resolved.length])).toEqual([['firing', 2, 0], ['resolved', 0, 2]]);
  }, 60_000);
});
