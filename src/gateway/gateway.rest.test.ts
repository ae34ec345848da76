import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createGatewayService } from './gateway.service.js';
import { createGatewayTestApp, sessionIdOf, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** The gateway's REST face and session limits. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('a-rather-long-server-name-for-it', [WELL_BEHAVED]);
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const SERVER = 'a-rather-long-server-name-for-it';

describe('gateway REST', () => {
  it('shows the name mapping, shortening long names, and routes the short name back', async () => {
    const { key } = await t.key('mapper');
    const client = await t.connect(key);
    await client.callTool({ name: `${SERVER}__add_tool`, arguments: { name: 'a_tool_with_a_name_long_enough_to_overflow' } });
    const res = await t.call('GET', '/gateway/tools');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().separator).toBe('__');
    const long = res.json().items.find((x: { tool: string }) => x.tool === 'a_tool_with_a_name_long_enough_to_overflow');
    expect(long).toMatchObject({ server: SERVER, shortened: true, full_name: `${SERVER}__a_tool_with_a_name_long_enough_to_overflow`, state: 'approved' });
    expect(long.name).toHaveLength(64);
    expect(long.name).toMatch(/_[0-9a-f]{8}$/);
    await waitFor(async () => (await client.listTools()).tools.some((x) => x.name === long.name), 10_000, 'the short name listed');
    expect((await client.callTool({ name: long.name, arguments: {} })).content).toEqual([{ type: 'text', text: 'a_tool_with_a_name_long_enough_to_overflow' }]);
  });

  it('guards the REST routes by role', async () => {
    const viewer = await t.as('viewer');
    expect((await t.call('GET', '/gateway/tools', undefined, viewer)).statusCode).toBe(403);
    expect((await t.call('GET', '/gateway/sessions', undefined, viewer)).statusCode).toBe(403);
    const operator = await t.as('operator');
    expect((await t.call('GET', '/gateway/sessions', undefined, operator)).statusCode).toBe(200);
    expect((await t.call('POST', '/gateway/api-keys', { name: 'x', role: 'operator' }, operator)).statusCode).toBe(403);
    const bad = await t.call('POST', '/gateway/api-keys', { name: 'x', role: 'operator', allowed_tools: ['ok', 'not ok!'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
  });

  it('closes a session on request; the client then gets 404 for it', async () => {
    const { key } = await t.key('closer');
    const client = await t.connect(key);
    const sid = sessionIdOf(client);
    const del = await t.call('DELETE', `/gateway/sessions/${encodeURIComponent(sid)}`);
    expect(del.statusCode, del.body).toBe(204);
    expect((await t.call('DELETE', `/gateway/sessions/${encodeURIComponent(sid)}`)).statusCode).toBe(404);
    const res = await fetch(`${t.base}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
  });
});

describe('browser clients', () => {
  it('lets an origin from CORS_ORIGINS read the session headers', async () => {
    const app = await createTestApp({ CORS_ORIGINS: 'http://ui.example' });
    try {
      const admin = await app.login();
      const created = await app.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers: admin, payload: { name: 'ui', role: 'operator' } });
      const res = await app.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          authorization: `Bearer ${created.json().key}`,
          origin: 'http://ui.example',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ui', version: '1' } } }),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('http://ui.example');
      expect(String(res.headers['access-control-expose-headers'])).toMatch(/mcp-session-id/);
      expect(res.headers['mcp-session-id']).toBeTruthy();
    } finally {
      await app.close();
    }
  });
});

describe('session limits', () => {
  it('keeps one key to its share, refuses sessions beyond the limit and closes idle ones', async () => {
    const gateway = createGatewayService({
      db: t.ctx.db,
      supervisor: t.ctx.servers.supervisor,
      recorder: t.ctx.servers.recorder,
      log: t.ctx.log,
      config: { separator: '__', sessionIdleMs: 1_000, maxSessions: 8 },
    });
    try {
      const principals = await Promise.all(['la', 'lb', 'lc', 'ld', 'le'].map(async (n) => t.ctx.auth.authenticateApiKey((await t.key(n)).key)));
      const open = async (i: number) => {
        const [c, s] = InMemoryTransport.createLinkedPair();
        const session = await gateway.openSession({ principal: principals[i]!, transport: s, kind: 'streamable-http' });
        const client = new Client({ name: 'idle', version: '1' });
        await client.connect(c);
        return session.id;
      };
      // A key's share is a quarter of the limit (2 here): its third session replaces its oldest.
      const first = await open(0);
      await open(0);
      await open(0);
      expect(gateway.sessions().map((x) => x.id)).not.toContain(first);
      expect(gateway.sessions().filter((x) => x.principal.name === 'la')).toHaveLength(2);
      for (const i of [1, 1, 2, 2, 3, 3]) await open(i);
      expect(gateway.sessions()).toHaveLength(8);
      await expect(open(4)).rejects.toThrow(/open sessions/);
      expect(gateway.metrics().sessions_rejected_total).toBe(1);
      await waitFor(() => gateway.sessions().length === 0, 15_000, 'idle sessions to close');
      expect(gateway.metrics().sessions_open['streamable-http']).toBe(0);
      await open(4);
    } finally {
      await gateway.close();
    }
  });
});
