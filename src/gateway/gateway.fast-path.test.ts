import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConformanceGateway, type ConformanceGateway, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * The raw forwarding fast path of `/mcp/{server}` (tool-call-fast-path.ts), shared session mode,
 * the conformance fixture over stdio and Streamable HTTP, real SDK clients: a tools/call goes to
 * the upstream under a forwarding id (no SDK client in between) and its answer comes back as the
 * server sent it; the client's cancellation and the end of its session reach the upstream; the
 * allowlist still refuses.
 */
let g: ConformanceGateway;
let t: GatewayTestApp;
let key: string;

const connect = (server: string, bearer = key): Promise<Client> => g.connect(server, { name: 'fast-path-client', bearer });
const outcome = async (c: Client, tag: string) => ((await c.callTool({ name: 'outcome', arguments: { tag } })).structuredContent as { outcome: string | null }).outcome;

beforeAll(async () => {
  g = await createConformanceGateway({ keyName: 'fast', servers: [{}] });
  ({ t, key } = g);
}, 60_000);

afterAll(async () => g?.close());

describe.each(['stdio', 'remote'])('shared, %s upstream', (server) => {
  it("forwards tools/call raw: the upstream sees a forwarding id, the client its own id and the server's answer; both sides recorded with the caller", async () => {
    const client = await connect(server);
    const tag = `raw-${server}-${Date.now()}`;
    const r = await client.callTool({ name: 'test_wait', arguments: { tag, ms: 1 } });
    expect(r.content).toEqual([{ type: 'text', text: 'done' }]);
    const all = await t.mcpLog(server, '&method=tools/call');
    const sent = all.find((row) => String(row['payload']).includes(tag))!;
    expect(String(sent['jsonrpc_id'])).toMatch(/^mcps-fwd-\d+$/);
    const rows = all.filter((row) => row['jsonrpc_id'] === sent['jsonrpc_id']);
    expect(rows.map((row) => [row['direction'], row['caller']]).sort()).toEqual([
      ['in', 'api_key:fast'],
      ['out', 'api_key:fast'],
    ]);
    const gatewayRows = await t.mcpLog('gateway', '&method=tools/call');
    const asked = gatewayRows.find((row) => String(row['payload']).includes(tag))!;
    const mine = gatewayRows.filter((row) => row['jsonrpc_id'] === asked['jsonrpc_id'] && row['session_id'] === asked['session_id']);
    expect(mine.map((row) => [row['direction'], row['session_id']]).sort()).toEqual([
      ['in', g.wire(client).sessionId],
      ['out', g.wire(client).sessionId],
    ]);
    await client.close();
  });

  it("the client's cancellation reaches the upstream", async () => {
    const client = await connect(server);
    const tag = `cancel-${server}-${Date.now()}`;
    const abort = new AbortController();
    const call = client.callTool({ name: 'test_wait', arguments: { tag, ms: 60_000 } }, { signal: abort.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    abort.abort('changed my mind');
    expect(await call).toBeInstanceOf(Error);
    await waitFor(async () => (await outcome(client, tag)) !== null, 20_000, 'the upstream to end the call');
    expect(await outcome(client, tag)).toBe('cancelled');
    // The cancellation the upstream got is recorded for the caller, as its request is.
    const sent = (await t.mcpLog(server, '&method=tools/call')).find((row) => row['direction'] === 'out' && String(row['payload']).includes('test_wait') && String(row['payload']).includes(tag))!;
    const cancelledRows = async () => (await t.mcpLog(server)).filter((row) => row['method'] === 'notifications/cancelled' && String(row['payload']).includes(`"${String(sent['jsonrpc_id'])}"`));
    let cancelled = await cancelledRows();
    await waitFor(async () => (cancelled = await cancelledRows()).length > 0, 5_000, 'the cancellation recorded').catch(() => {});
    expect(cancelled.map((row) => [row['direction'], row['caller']])).toEqual([['out', 'api_key:fast']]);
    await client.close();
  });

  it('a session that ends mid-call cancels the call at the upstream', async () => {
    const client = await connect(server);
    const observer = await connect(server);
    const tag = `ended-${server}-${Date.now()}`;
    const call = client.callTool({ name: 'test_wait', arguments: { tag, ms: 60_000 } }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await g.wire(client).terminateSession();
    expect(await call).toBeInstanceOf(Error);
    await waitFor(async () => (await outcome(observer, tag)) !== null, 20_000, 'the upstream to end the call');
    expect(await outcome(observer, tag)).toBe('cancelled');
    await Promise.all([client.close(), observer.close()]);
  });

  it('a tool the key may not call is refused before anything reaches the upstream', async () => {
    const { key: narrow } = await t.key(`narrow-${server}`, { allowed_tools: [`${server}__test_simple_text`] });
    const client = await connect(server, narrow);
    const tag = `denied-${server}-${Date.now()}`;
    const err = await client.callTool({ name: 'test_wait', arguments: { tag, ms: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).message).toContain("tool 'test_wait' is not allowed for this API key");
    expect((await t.mcpLog(server)).filter((row) => String(row['payload']).includes(tag))).toEqual([]);
    await client.close();
  });
});
