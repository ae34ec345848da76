import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

/** An error raised while an MCP message is answered is a JSON-RPC error, never problem+json. */

let t: TestApp;
let base: string;
let key: string;
const clients: Client[] = [];
beforeAll(async () => {
  t = await createTestApp({ MCPS_GATEWAY_MAX_SESSIONS: '1' });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers: await t.login(), payload: { name: 'limited', role: 'operator' } });
  expect(created.statusCode, created.body).toBe(201);
  key = created.json().key as string;
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await t.close();
}, 60_000);

const initialize = (path: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }),
  });

describe('the gateway at its session limit', () => {
  it('answers initialize on /mcp with a JSON-RPC error to its id (503), not problem+json', async () => {
    const client = new Client({ name: 'first', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    clients.push(client);

    const res = await initialize('/mcp');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32000 } });
    expect(body.error.message).toMatch(/open sessions \(MCPS_GATEWAY_MAX_SESSIONS\)/);
    // The open session is untouched.
    expect((await client.ping())).toEqual({});
  });

  it('answers a legacy SSE client alike (503, JSON-RPC error)', async () => {
    const res = await fetch(`${base}/sse`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
  });

  it('still refuses a URL naming no server with an HTTP 404 before any exchange, on both transports', async () => {
    for (const res of [await initialize('/mcp/nosuch'), await fetch(`${base}/sse/nosuch`, { headers: { authorization: `Bearer ${key}` } })]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
