import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * The caller of a managed server's messages reaches the protocol log through an AsyncLocalStorage
 * (call-context.ts), not as an argument: this proves every path into a server keeps it, all at once
 * (so no call takes another's caller): REST `POST /tools/{id}/call`, `/mcp` (session and stateless),
 * `/mcp/{server}`, an in-process session as a publication (the pipe) opens it, and the log service
 * on `/mcp/mcps`. Each request and its response carry the caller; none is recorded without one.
 */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED]);
}, 120_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const statelessClient = async (key: string) => {
  const client = new Client({ name: 'modern', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  t.clients.push(client);
  return client;
};

const inProcessClient = async (key: string, caller: string) => {
  const principal = await t.ctx.auth.authenticateApiKey(key);
  const client = new Client({ name: 'pipe', version: '1' });
  await client.connect(await t.ctx.gateway.openInProcessSession({ principal, server: 'wb', caller }));
  t.clients.push(client);
  return client;
};

describe('the caller in the protocol log', () => {
  it('every path records each request and its response with its own caller, even when they run at once', async () => {
    const keys = {
      aggregate: await t.key('via-aggregate'),
      server: await t.key('via-server'),
      stateless: await t.key('via-stateless'),
      pipe: await t.key('via-pipe'),
      logService: await t.key('via-log-service', { role: 'admin' }),
    };
    const clients = {
      aggregate: await t.connect(keys.aggregate.key),
      server: await t.connect(keys.server.key, '/mcp/wb'),
      stateless: await statelessClient(keys.stateless.key),
      pipe: await inProcessClient(keys.pipe.key, 'pipe:example.test'),
      logService: await t.connect(keys.logService.key, '/mcp/mcps'),
    };
    const echo = (message: string) => ({ message });
    const paths: { marker: string; caller: string; server: string; run: () => Promise<unknown> }[] = [
      { marker: 'marker-rest', caller: 'user:admin', server: 'wb', run: () => t.call('POST', '/tools/wb/call', { tool: 'echo', arguments: echo('marker-rest') }) },
      { marker: 'marker-aggregate', caller: 'api_key:via-aggregate', server: 'wb', run: () => clients.aggregate.callTool({ name: 'wb__echo', arguments: echo('marker-aggregate') }) },
      { marker: 'marker-server', caller: 'api_key:via-server', server: 'wb', run: () => clients.server.callTool({ name: 'echo', arguments: echo('marker-server') }) },
      { marker: 'marker-stateless', caller: 'api_key:via-stateless', server: 'wb', run: () => clients.stateless.callTool({ name: 'wb__echo', arguments: echo('marker-stateless') }) },
      { marker: 'marker-pipe', caller: 'pipe:example.test', server: 'wb', run: () => clients.pipe.callTool({ name: 'echo', arguments: echo('marker-pipe') }) },
      {
        marker: 'marker-log-service',
        caller: 'api_key:via-log-service',
        server: 'gateway',
        run: () => clients.logService.callTool({ name: 'get_secret', arguments: { name: 'NO_SUCH_SECRET', reason: 'marker-log-service' } }),
      },
    ];
    // Three rounds, every path at once.
    for (let round = 0; round < 3; round++) await Promise.all(paths.map((p) => p.run()));

    const key = (r: Record<string, unknown>) => `${String(r['session_id'])}/${String(r['jsonrpc_id'])}`;
    const rowsOf = async (p: (typeof paths)[number]) => {
      const all = await t.mcpLog(p.server, '&method=tools/call');
      const requests = all.filter((r) => r['direction'] === 'out' && String(r['payload']).includes(p.marker));
      const asked = new Set(requests.map(key));
      return { requests, responses: all.filter((r) => r['direction'] === 'in' && asked.has(key(r))) };
    };
    for (const p of paths) {
      // A response is recorded as it leaves, which can be just after the client has read it.
      let rows = await rowsOf(p);
      await waitFor(async () => (rows = await rowsOf(p)).responses.length >= 3, 5_000, `${p.marker} responses recorded`).catch(() => {});
      const { requests, responses } = rows;
      expect([requests.length, responses.length], `${p.marker}: a request and its response per round`).toEqual([3, 3]);
      expect(new Set([...requests, ...responses].map((r) => r['caller'])), p.marker).toEqual(new Set([p.caller]));
    }
  }, 60_000);
});
