import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../servers/test-support.js';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from './test-gateway.js';

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
});
