import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createGatewayService, type GatewayService } from './gateway.service.js';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/**
 * openInProcessSession (what mcp_pipe publishes through) and built-in in-process servers, on a
 * gateway service built over the test app's real supervisor, database and recorder.
 */

let t: GatewayTestApp;
let gateway: GatewayService;
const opened: string[] = [];

/** A tiny built-in: `whoami` answers with the identity the gateway session acts for. */
const builtin = {
  name: 'mcps',
  async open(principal: Principal): Promise<Client> {
    opened.push(principal.name);
    const server = new McpServer({ name: 'mcps-builtin', version: '1.0.0' });
    server.registerTool('whoami', { description: 'Who the caller is', inputSchema: z.object({}) }, async () => ({
      content: [{ type: 'text', text: `${principal.type}:${principal.name}` }],
    }));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const client = new Client({ name: 'gateway', version: '1' });
    await client.connect(a);
    return client;
  },
};

beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED]);
  gateway = createGatewayService({
    db: t.ctx.db,
    supervisor: t.ctx.servers.supervisor,
    recorder: t.ctx.servers.recorder,
    log: t.ctx.log,
    config: { separator: '__', sessionIdleMs: 60_000, maxSessions: 100 },
    builtins: [builtin],
  });
}, 180_000);
afterAll(async () => {
  await gateway.close();
  await t.closeAndCheck();
}, 60_000);

const principalFor = async (name: string, allow: { allowed_servers?: string[]; allowed_tools?: string[] } = {}) => {
  const { key } = await t.key(name, allow);
  return t.ctx.auth.authenticateApiKey(key);
};

const connect = async (transport: Awaited<ReturnType<GatewayService['openInProcessSession']>>) => {
  const client = new Client({ name: 'pipe', version: '1' });
  await client.connect(transport);
  return client;
};

describe('in-process gateway sessions', () => {
  it('aggregate: managed and built-in servers, built-ins acting as the caller, recorded with the given caller label', async () => {
    const principal = await principalFor('pipe-key');
    const client = await connect(await gateway.openInProcessSession({ principal, caller: 'pipe:example.com' }));
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['wb__echo', 'mcps__whoami']));
    expect((await client.callTool({ name: 'mcps__whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'api_key:pipe-key' }]);
    expect((await client.callTool({ name: 'wb__echo', arguments: { message: 'via pipe' } })).content).toEqual([{ type: 'text', text: 'via pipe' }]);
    expect(opened).toContain('pipe-key');

    const session = gateway.sessions().find((s) => s.caller === 'pipe:example.com')!;
    expect(session).toMatchObject({ transport: 'in-process', endpoint: '/mcp', principal: { type: 'api_key', name: 'pipe-key' } });
    const upstream = (await t.mcpLog('wb', '&method=tools/call')).filter((r) => String(r.payload).includes('via pipe'));
    expect(upstream.length).toBe(2);
    for (const r of upstream) expect(r).toMatchObject({ caller: 'pipe:example.com', session_id: session.id });
    const front = (await t.mcpLog('gateway', '&method=tools/call')).filter((r) => r.session_id === session.id);
    expect(front.length).toBeGreaterThanOrEqual(4);

    const m = gateway.metrics();
    expect(m.sessions_open['in-process']).toBeGreaterThanOrEqual(1);
    expect(m.calls_total.ok).toBeGreaterThanOrEqual(2);
    expect(m.call_duration_ms.count).toBe(m.calls_total.ok + m.calls_total.error + m.calls_total.denied);

    await client.close();
    await waitFor(() => !gateway.sessions().some((s) => s.id === session.id), 10_000, 'session to close');
    expect(gateway.metrics().sessions_open['in-process']).toBe(0);
  });

  it('one server unchanged (a built-in or a managed one), with the allowlist applied', async () => {
    const principal = await principalFor('pipe-one', { allowed_tools: ['wb__echo', 'mcps__*'] });
    const builtinOnly = await connect(await gateway.openInProcessSession({ principal, server: 'mcps' }));
    expect(builtinOnly.getServerVersion()?.name).toBe('mcps-builtin');
    expect((await builtinOnly.listTools()).tools.map((x) => x.name)).toEqual(['whoami']);
    const wb = await connect(await gateway.openInProcessSession({ principal, server: 'wb' }));
    expect((await wb.listTools()).tools.map((x) => x.name)).toEqual(['echo']);
    await expect(wb.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).rejects.toThrow(/not allowed/);
    expect(gateway.metrics().calls_total.denied).toBeGreaterThanOrEqual(1);
    await expect(gateway.openInProcessSession({ principal, server: 'nosuch' })).rejects.toThrow(/no MCP server 'nosuch'/);
    await builtinOnly.close();
    await wb.close();
  });
});
