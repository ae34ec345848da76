import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/helpers/http-receiver.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { buildLogServiceServer } from '../logservice/build-server.js';
import { SYSTEM_CALLER } from '../secrets/secret-caller.js';

/** The log service's notification tools, as an MCP client calls them. */
let t: TestApp;
let rx: HttpReceiver;
let headers: { authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  rx = await startHttpReceiver(() => ({ status: 200, body: 'ok' }));
  headers = await t.login();
  await t.ctx.notify.createChannel({ name: 'ops-hook', settings: { kind: 'webhook', url: `${rx.url}/hook` } }, SYSTEM_CALLER);
});
afterAll(async () => {
  await rx.close();
  await t.close();
});

async function mcpClient(role: 'operator' | 'viewer'): Promise<Client> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers, payload: { name: `k-${role}-${Date.now()}`, role } });
  const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
  const server = buildLogServiceServer({ secrets: t.ctx.secrets, notify: t.ctx.notify }, principal);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(b);
  return client;
}

describe('notification tools', () => {
  it('list_channels, then send_notification: queued, then delivered by the worker', async () => {
    const client = await mcpClient('operator');
    const list = await client.callTool({ name: 'list_channels', arguments: {} });
    expect(list.structuredContent).toMatchObject({ items: [{ name: 'ops-hook', kind: 'webhook', enabled: true }] });
    expect((list.content as { text: string }[])[0]!.text).toContain('ops-hook\twebhook\ten\tenabled');
    const sent = await client.callTool({ name: 'send_notification', arguments: { channel: 'ops-hook', title: 'Deploy done', text: 'v2.1 is live', severity: 'info' } });
    expect(sent.isError).toBeFalsy();
    expect(sent.structuredContent).toMatchObject({ channel: 'ops-hook', status: 'pending' });
    await t.ctx.notify.worker.tick();
    expect(rx.requests.map((r) => r.json.title)).toEqual(['Deploy done']);
    const audit = await t.ctx.db.selectFrom('operation_logs').select(['action', 'outcome']).where('action', '=', 'notify.send').execute();
    expect(audit).toEqual([{ action: 'notify.send', outcome: 'success' }]);
  });

  it('a viewer may not send; an unknown channel is a clear error', async () => {
    const viewer = await mcpClient('viewer');
    const denied = await viewer.callTool({ name: 'send_notification', arguments: { channel: 'ops-hook', title: 'x', text: 'y', severity: 'info' } });
    expect(denied.isError).toBe(true);
    expect((denied.content as { text: string }[])[0]!.text).toMatch(/forbidden.*notify:send/);
    const operator = await mcpClient('operator');
    const missing = await operator.callTool({ name: 'send_notification', arguments: { channel: 'nope', title: 'x', text: 'y', severity: 'info' } });
    expect(missing.isError).toBe(true);
    expect((missing.content as { text: string }[])[0]!.text).toMatch(/not_found/);
  });
});
