import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { buildLogServiceServer } from '../logservice/build-server.js';
import { localCaller } from '../secrets/secret-caller.js';

const CLI = localCaller('cli', 'test');
type ToolText = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, any> };
let t: TestApp;

async function clientAs(role: 'operator' | 'viewer') {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await t.login(), payload: { name: `${role}-${randomBytes(3).toString('hex')}`, role } });
  const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
  const server = buildLogServiceServer({ secrets: t.ctx.secrets, alerts: t.ctx.alerts }, principal);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(b);
  return (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<ToolText>;
}

beforeAll(async () => {
  t = await createTestApp();
  await t.ctx.secrets.create({ name: 'TOK', value: 'x' }, CLI);
  const r = await t.ctx.alerts.receivers.create({ name: 'am', kind: 'alertmanager', token: '${secret:TOK}' }, CLI);
  const receiver = await t.ctx.alerts.receivers.find(r.id);
  const a = (instance: string, status: 'firing' | 'resolved', startsAt: string, name = 'DiskFull') => ({ status, labels: { alertname: name, instance }, annotations: { summary: `${name} on ${instance}` }, startsAt });
  const base = Date.now();
  const recent = (h: number) => new Date(base - h * 3_600_000).toISOString();
  await t.ctx.alerts.webhooks.ingest(receiver, { alerts: [a('db1', 'firing', recent(2)), a('db2', 'firing', recent(1)), a('db1', 'firing', recent(30)), a('web1', 'firing', recent(5), 'HighLatency')] });
  await t.ctx.alerts.webhooks.ingest(receiver, { alerts: [a('db1', 'resolved', recent(30)), a('web1', 'resolved', recent(5), 'HighLatency')] });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('alert tools of the log service', () => {
  it('alert_summary says what is firing, since when and how often, in a compact text', async () => {
    const call = await clientAs('viewer');
    const r = await call('alert_summary');
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ firing: 2, groups: [{ key: 'alertname="DiskFull"', firing: 2, episodes: 3 }] });
    const text = r.content[0]!.text!;
    expect(text).toMatch(/^2 alerts firing in 1 groups/);
    expect(text).toMatch(/FIRING 2 alertname="DiskFull" since \S+, 3 episodes: DiskFull on db/);
    expect(text).not.toMatch(/HighLatency/);
    const history = await call('alert_summary', { history: true, matchers: ['alertname=~"High.*"'] });
    expect(history.structuredContent!['groups']).toEqual([expect.objectContaining({ key: 'alertname="HighLatency"', firing: 0, episodes: 1 })]);
  });

  it('list_alerts lists alerts one by one: state, matchers, and a limit that says how many are left out', async () => {
    const call = await clientAs('viewer');
    const firing = await call('list_alerts');
    expect(firing.isError).toBeFalsy();
    expect(firing.structuredContent).toMatchObject({ state: 'firing', total: 2, left_out: 0 });
    expect((firing.structuredContent!['alerts'] as { labels: Record<string, string> }[]).map((a) => a.labels['instance'])).toEqual(['db2', 'db1']);
    const text = firing.content[0]!.text!;
    expect(text).toMatch(/^2 firing alerts\n\S+ FIRING since \S+ alertname="DiskFull",instance="db2": DiskFull on db2\n/);

    const resolved = await call('list_alerts', { state: 'resolved' });
    expect((resolved.structuredContent!['alerts'] as { labels: Record<string, string> }[]).map((a) => a.labels['instance']).sort()).toEqual(['db1', 'web1']);
    expect(resolved.content[0]!.text).toMatch(/resolved \S+\.\.\S+ alertname="HighLatency"/);

    const all = await call('list_alerts', { state: 'all', matchers: ['alertname="DiskFull"'], limit: 1 });
    expect(all.structuredContent).toMatchObject({ total: 3, left_out: 2, alerts: [{ labels: { instance: 'db2' } }] });
    expect(all.content[0]!.text).toMatch(/^3 alerts \(newest 1 shown\)\n[\s\S]*2 more not shown, narrow with matchers \(e\.g\. alertname="DiskFull"\), state, or a higher limit/);

    const bad = await call('list_alerts', { matchers: ['job=~"(bad"'] });
    expect(bad.isError).toBe(true);
    expect((await call('list_alerts', { state: 'muted' })).isError).toBe(true);
  });

  it('a viewer may not ack or silence; an operator acks with a note and silences by matchers', async () => {
    const viewer = await clientAs('viewer');
    const id = (await viewer('list_alerts')).structuredContent!['alerts'][0].id as string;
    const refused = await viewer('ack_alert', { id });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/forbidden/);

    const op = await clientAs('operator');
    expect((await op('ack_alert', { id, note: 'looking at it' })).structuredContent).toMatchObject({ id, acked_by: expect.any(String) });
    expect((await op('get_alert', { id })).structuredContent!['notes']).toEqual([expect.objectContaining({ text: 'looking at it' })]);
    const silence = await op('silence_alerts', { matchers: ['alertname="DiskFull"'], duration_minutes: 60, comment: 'disk swap' });
    expect(silence.structuredContent).toMatchObject({ state: 'active', matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }] });
    const listed = await op('list_silences');
    expect(listed.content[0]!.text).toMatch(/1 active silences\n\S+ active alertname="DiskFull"/);
    expect((await op('alert_summary')).content[0]!.text).toMatch(/\(2 muted\)/);
    expect((await op('list_alerts', { matchers: ['instance="db2"'] })).content[0]!.text).toMatch(/db2.*\(acked, silenced\)$/m);
    expect((await op('silence_alerts', { matchers: ['job=~"(bad"'], duration_minutes: 5, comment: 'x' })).isError).toBe(true);
  });
});
