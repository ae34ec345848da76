import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localCaller } from '../secrets/secret-caller.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import type { AlertNotification } from './alert-events.js';
import { createAlertsRuntime, type AlertsRuntime } from './alerts-runtime.js';
import type { AlertReceiverRow } from './alerts.table.js';
import type { IncomingAlert } from './webhook-payloads.js';

const CLI = localCaller('cli', 'test');
const T0 = Date.parse('2026-12-01T10:00:00Z');
let t: TestApp;
let clock = T0;
let receiver: AlertReceiverRow;

const at = (seconds: number) => (clock = T0 + seconds * 1000);
const alert = (instance: string, status: 'firing' | 'resolved' = 'firing', name = 'HighLatency'): IncomingAlert => ({
  status, labels: { alertname: name, instance }, annotations: {}, startsAt: '2026-12-01T09:59:00.000Z', endsAt: null, generatorURL: null, fingerprint: null, extra: null,
});

/** Runtimes of the current test: their held repeat counts are written before the next test empties the tables. */
const runtimes: AlertsRuntime[] = [];

function runtime(): { rt: AlertsRuntime; sent: AlertNotification[] } {
  const rt = createAlertsRuntime({ db: t.ctx.db, audit: t.ctx.audit, secrets: t.ctx.secrets, apiPrefix: '/api/v1', now: () => new Date(clock) });
  runtimes.push(rt);
  const sent: AlertNotification[] = [];
  rt.events.onNotify((n) => void sent.push(n));
  return { rt, sent };
}
const summary = (n: AlertNotification) => ({ status: n.status, firing: n.firing.map((a) => a.labels['instance']).sort(), resolved: n.resolved.map((a) => a.labels['instance']).sort() });

beforeAll(async () => {
  t = await createTestApp();
  await t.ctx.secrets.create({ name: 'TOK', value: 'x' }, CLI);
  const r = await t.ctx.alerts.receivers.create({ name: 'am', kind: 'alertmanager', token: '${secret:TOK}' }, CLI);
  receiver = await t.ctx.alerts.receivers.find(r.id);
}, 60_000);
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  // A held repeat written after its row was deleted would be stored again (as after a restore) and leak into the next test.
  for (const rt of runtimes.splice(0)) await rt.webhooks.flush();
  for (const table of ['alert_groups', 'alert_silences', 'alert_inhibit_rules', 'alerts', 'alert_routing'] as const) await t.ctx.db.deleteFrom(table).execute();
  clock = T0;
});

// Every case runs with full passes (as `tick()`), and with the passes the running service makes
// (light passes: new alerts only, due groups flushed from the alerts carrying their labels).
describe.each(['full', 'changes'] as const)('routing with a controllable clock (%s passes)', (mode) => {
  it('waits group_wait, batches changes per group_interval, repeats after repeat_interval', async () => {
    const { rt, sent } = runtime();
    await rt.webhooks.ingest(receiver, { alerts: [] });
    await rt.webhooks.ingest(receiver, fromAlerts([alert('a')]));
    await rt.dispatcher.tick(mode);
    at(29);
    await rt.dispatcher.tick(mode);
    expect(sent).toHaveLength(0);
    at(30);
    await rt.dispatcher.tick(mode);
    expect(sent.map(summary)).toEqual([{ status: 'firing', firing: ['a'], resolved: [] }]);
    expect(sent[0]).toMatchObject({ receiver: 'default', group_labels: { alertname: 'HighLatency' } });
    at(60);
    await rt.webhooks.ingest(receiver, fromAlerts([alert('b')]));
    await rt.webhooks.ingest(receiver, fromAlerts([alert('a')]));
    await rt.dispatcher.tick(mode);
    at(329);
    await rt.dispatcher.tick(mode);
    expect(sent).toHaveLength(1);
    at(330);
    await rt.dispatcher.tick(mode);
    expect(sent.map(summary)[1]).toEqual({ status: 'firing', firing: ['a', 'b'], resolved: [] });
    at(630);
    await rt.dispatcher.tick(mode);
    expect(sent).toHaveLength(2);
    at(330 + 4 * 3600);
    await rt.dispatcher.tick(mode);
    expect(sent.map(summary)[2]).toEqual({ status: 'firing', firing: ['a', 'b'], resolved: [] });
  });

  it('sends the resolve at the next group_interval, then forgets the group', async () => {
    const { rt, sent } = runtime();
    await rt.webhooks.ingest(receiver, fromAlerts([alert('a')]));
    await rt.dispatcher.tick(mode);
    at(30);
    await rt.dispatcher.tick(mode);
    at(100);
    await rt.webhooks.ingest(receiver, fromAlerts([alert('a', 'resolved')]));
    await rt.dispatcher.tick(mode);
    expect(sent).toHaveLength(1);
    at(330);
    await rt.dispatcher.tick(mode);
    expect(sent.map(summary)[1]).toEqual({ status: 'resolved', firing: [], resolved: ['a'] });
    expect(await t.ctx.db.selectFrom('alert_groups').selectAll().execute()).toEqual([]);
  });

  it('keeps its timers across a restart (a new dispatcher on the same database)', async () => {
    const first = runtime();
    await first.rt.webhooks.ingest(receiver, fromAlerts([alert('a')]));
    at(10);
    await first.rt.dispatcher.tick(mode);
    const second = runtime();
    at(29);
    await second.rt.dispatcher.tick(mode);
    expect(second.sent).toHaveLength(0);
    at(30);
    await second.rt.dispatcher.tick(mode);
    expect(second.sent.map(summary)).toEqual([{ status: 'firing', firing: ['a'], resolved: [] }]);
  });

  it('routes by matchers with continue and group_by, and silences, inhibitions and acks suppress', async () => {
    const { rt, sent } = runtime();
    await rt.routing.setTree({ receiver: 'ops', group_by: ['alertname'], routes: [
      { matchers: [{ name: 'instance', op: '=~', value: 'db.*' }], receiver: 'dba', continue: true, group_wait_seconds: 5 },
      { matchers: [{ name: 'alertname', op: '=', value: 'HighLatency' }], receiver: 'web', group_by: ['alertname', 'instance'] },
    ] }, CLI);
    await rt.silences.create({ matchers: [{ name: 'instance', op: '=', value: 'web2' }], duration_minutes: 60, comment: 'maintenance' }, CLI);
    await rt.rules.create({ name: 'down-mutes-latency', source_matchers: [{ name: 'alertname', op: '=', value: 'InstanceDown' }], target_matchers: [{ name: 'alertname', op: '=', value: 'HighLatency' }], equal: ['instance'] }, CLI);
    await rt.webhooks.ingest(receiver, fromAlerts([alert('db1'), alert('web1'), alert('web2'), alert('web3'), alert('web3', 'firing', 'InstanceDown'), alert('web4')]));
    const web4 = await t.ctx.db.selectFrom('alerts').select('id').where('labels', 'like', '%web4%').executeTakeFirstOrThrow();
    await rt.alerts.ack(web4.id, CLI);
    await rt.dispatcher.tick(mode);
    at(30);
    await rt.dispatcher.tick(mode);
    const got = sent.map((n) => `${n.receiver} ${JSON.stringify(n.group_labels)} ${summary(n).firing.join(',')}`).sort();
    expect(got).toEqual([
      'dba {"alertname":"HighLatency"} db1',
      'ops {"alertname":"InstanceDown"} web3',
      'web {"alertname":"HighLatency","instance":"db1"} db1',
      'web {"alertname":"HighLatency","instance":"web1"} web1',
    ]);
  });
  it('light passes (alerts received since the last pass) start groups on the same timers, and a due group gets a full pass', async () => {
    const { rt, sent } = runtime();
    await rt.dispatcher.tick('changes'); // the first pass is always full
    at(5);
    await rt.webhooks.ingest(receiver, fromAlerts([alert('a')]));
    await rt.dispatcher.tick('changes');
    const groups = await t.ctx.db.selectFrom('alert_groups').select(['next_flush_at']).execute();
    expect(groups).toEqual([{ next_flush_at: new Date(T0 + 35_000).toISOString() }]);
    at(20);
    await rt.webhooks.ingest(receiver, fromAlerts([alert('b')]));
    await rt.dispatcher.tick('changes');
    expect(sent).toHaveLength(0);
    at(35);
    await rt.dispatcher.tick('changes');
    expect(sent.map(summary)).toEqual([{ status: 'firing', firing: ['a', 'b'], resolved: [] }]);
  });
});

function fromAlerts(alerts: IncomingAlert[]) {
  return { alerts: alerts.map((a) => ({ status: a.status, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt })) };
}
