import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** The stateless 2026-07-28 revision (server/discover, no sessions) next to the 2025 handshake. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED]);
  await t.addServer('other', [WELL_BEHAVED]);
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const modernClient = async (key: string, path = '/mcp', mode: 'auto' | { pin: string } = { pin: '2026-07-28' }) => {
  const client = new Client({ name: 'modern', version: '1' }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.base}${path}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  t.clients.push(client);
  return client;
};

describe('gateway, protocol 2026-07-28', () => {
  it('negotiates 2026-07-28 and applies allowlists, routing and recording per request', async () => {
    const { key } = await t.key('modern', { allowed_servers: ['wb'] });
    const client = await modernClient(key, '/mcp', 'auto');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names).toContain('wb__echo');
    expect(names.some((n) => n.startsWith('other__'))).toBe(false);
    expect((await client.callTool({ name: 'wb__echo', arguments: { message: 'modern call' } })).content).toEqual([{ type: 'text', text: 'modern call' }]);
    await expect(client.callTool({ name: 'other__echo', arguments: { message: 'no' } })).rejects.toThrow();
    const rows = (await t.mcpLog('wb', '&method=tools/call')).filter((r) => String(r.payload).includes('modern call'));
    expect(rows.length).toBe(2);
    for (const r of rows) expect(r).toMatchObject({ caller: 'api_key:modern', session_id: null });
    // No session is kept for stateless requests.
    expect(t.ctx.gateway.sessions().some((s) => s.caller === 'api_key:modern')).toBe(false);
  });

  it('serves one server unchanged and forwards progress', async () => {
    const { key } = await t.key('modern-one');
    const client = await modernClient(key, '/mcp/wb');
    expect(client.getServerVersion()?.name).toBe('well-behaved');
    expect((await client.listTools()).tools.map((x) => x.name)).toContain('slow');
    const seen: number[] = [];
    await client.callTool({ name: 'slow', arguments: { ms: 200, steps: 4 } }, { onprogress: (p) => seen.push(p.progress) });
    await waitFor(() => seen.length >= 2, 5_000, 'progress');
    const res = await fetch(`${t.base}/mcp/wb`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('answers server/discover for a server the caller may not use, or that does not exist, with 404 like initialize', async () => {
    const { key } = await t.key('modern-denied', { allowed_servers: ['wb'] });
    for (const path of ['/mcp/nosuch', '/mcp/other']) {
      const seen: Array<{ status: number; type: string | null; body: string }> = [];
      const recording = async (url: string | URL, init?: RequestInit) => {
        const res = await fetch(url, init);
        seen.push({ status: res.status, type: res.headers.get('content-type'), body: await res.clone().text() });
        return res;
      };
      const client = new Client({ name: 'modern', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
      const transport = new StreamableHTTPClientTransport(new URL(`${t.base}${path}`), { fetch: recording, requestInit: { headers: { authorization: `Bearer ${key}` } } });
      await expect(client.connect(transport)).rejects.toThrow();
      await client.close().catch(() => {});
      expect(seen.length, path).toBeGreaterThan(0);
      expect(seen[0], path).toMatchObject({ status: 404, type: expect.stringContaining('application/problem+json') });
      expect(JSON.parse(seen[0]!.body).detail).toContain('available to this caller');
    }
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const legacy = await fetch(`${t.base}/mcp/nosuch`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: init });
    expect(legacy.status).toBe(404);
    expect(legacy.headers.get('content-type')).toContain('application/problem+json');
    expect((await (await modernClient(key, '/mcp/wb')).listTools()).tools.length).toBeGreaterThan(0);
  });

  it('refuses JSON nested past the limit on /mcp/{server} with -32600 and on REST with 400, records nothing, and keeps serving', async () => {
    const { key } = await t.key('deep');
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const body = `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"message":"deep-marker","x":${deep}}}}`;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' };
    for (const path of ['/mcp/wb', '/mcp']) {
      const res = await fetch(`${t.base}${path}`, { method: 'POST', headers, body });
      expect(res.status, path).toBe(400);
      const { error } = (await res.json()) as { error: { code: number; message: string } };
      expect(error.code).toBe(-32600);
      expect(error.message).toContain('nested deeper than 64 levels');
    }
    const rest = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tools/wb/call',
      headers: { ...(await t.login()), 'content-type': 'application/json' },
      payload: `{"tool":"echo","arguments":{"message":"deep-marker","x":${deep}}}`,
    });
    expect(rest.statusCode, rest.body).toBe(400);
    expect(rest.json().detail).toContain('nested deeper than 64 levels');
    const client = await modernClient(key, '/mcp/wb');
    expect((await client.callTool({ name: 'echo', arguments: { message: 'still serving' } })).content).toEqual([{ type: 'text', text: 'still serving' }]);
    await t.ctx.servers.recorder.flush();
    const rows = await t.mcpLog('wb', '&method=tools/call');
    expect(rows.some((r) => r.payload === null || String(r.payload).includes('deep-marker'))).toBe(false);
  });
});
