import { request } from 'node:http';
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createGatewayWithEverything, sessionIdOf, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** The gateway over Streamable HTTP through the real SDK client, with real child servers. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayWithEverything();
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${t.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body,
  });

const rpcError = async (res: Response) => ((await res.json()) as { error: { code: number; message: string } }).error;

/** node:http, because fetch does not let a caller set Host. */
const rawPost = (path: string, body: string, headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${t.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });

const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } });

describe('gateway /mcp', () => {
  it('aggregates tools, resources and prompts of every running server, namespaced, and routes calls back', async () => {
    const { key } = await t.key('all');
    const client = await t.connect(key);
    expect(client.getServerVersion()?.name).toBe('mcps-one-gateway');
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['everything__echo', 'wb__echo', 'wb__add', 'wb__slow']));
    const r = await client.callTool({ name: 'wb__add', arguments: { a: 2, b: 40 } });
    expect(r.structuredContent).toEqual({ sum: 42 });
    const e = await client.callTool({ name: 'everything__echo', arguments: { message: 'hi there' } });
    expect(JSON.stringify(e.content)).toContain('hi there');

    const resources = (await client.listResources()).resources.map((x) => x.uri);
    expect(resources).toContain('mcps://wb/fixture://hello');
    const read = await client.readResource({ uri: 'mcps://wb/fixture://hello' });
    expect(read.contents[0]).toMatchObject({ uri: 'mcps://wb/fixture://hello', text: 'hello from the fixture' });
    const prompts = (await client.listPrompts()).prompts.map((x) => x.name);
    expect(prompts).toContain('wb__greet');
    const prompt = await client.getPrompt({ name: 'wb__greet', arguments: { who: 'Ann' } });
    expect(JSON.stringify(prompt.messages)).toContain('Hello, Ann!');

    // An unknown tool is a JSON-RPC error, and the session keeps serving.
    await expect(client.callTool({ name: 'wb__nope', arguments: {} })).rejects.toThrow(/unknown tool 'wb__nope'/);
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/unknown tool/);
    expect((await client.callTool({ name: 'wb__echo', arguments: { message: 'still here' } })).content).toEqual([{ type: 'text', text: 'still here' }]);
  });

  it('shares the one server process between many sessions', async () => {
    const { key } = await t.key('many');
    const clients = await Promise.all(Array.from({ length: 8 }, (_, i) => t.connect(key, i % 2 ? '/mcp' : '/mcp/wb', `many-${i}`)));
    const pids = await Promise.all(
      clients.map(async (c, i) => {
        const r = await c.callTool({ name: i % 2 ? 'wb__whoami' : 'whoami', arguments: {} });
        return (r.structuredContent as { pid: number }).pid;
      }),
    );
    expect(new Set(pids).size).toBe(1);
    expect(pids[0]).toBe((await t.status('wb')).pid);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('exposes one server unchanged at /mcp/{server}', async () => {
    const { key } = await t.key('one');
    const client = await t.connect(key, '/mcp/wb');
    expect(client.getServerVersion()?.name).toBe('well-behaved');
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'add', 'slow']));
    expect(names.some((n) => n.includes('__'))).toBe(false);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'direct' } })).content).toEqual([{ type: 'text', text: 'direct' }]);
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['fixture://hello']);
    const res = await post('/mcp/nosuch', init, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(404);
  });

  it('enforces the key allowlist on list and on call, never reaching the upstream', async () => {
    const { key } = await t.key('echo-only', { allowed_tools: ['everything__echo'] });
    const client = await t.connect(key);
    expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['everything__echo']);
    expect(JSON.stringify((await client.callTool({ name: 'everything__echo', arguments: { message: 'ok' } })).content)).toContain('ok');
    await expect(client.callTool({ name: 'wb__whoami', arguments: {} })).rejects.toThrow(/not allowed for this API key/);
    const rows = await t.mcpLog('wb', '&method=tools/call');
    expect(rows.some((r) => String(r.caller) === 'api_key:echo-only')).toBe(false);

    const { key: serversOnly } = await t.key('wb-only', { allowed_servers: ['wb'] });
    const c2 = await t.connect(serversOnly);
    const names = (await c2.listTools()).tools.map((x) => x.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('wb__'))).toBe(true);
    expect((await c2.listResources()).resources.every((r) => r.uri.startsWith('mcps://wb/'))).toBe(true);
    const denied = await post('/mcp/everything', init, { authorization: `Bearer ${serversOnly}` });
    expect(denied.status).toBe(404);
  });

  it('applies an allowlist change to open sessions', async () => {
    const { key, id } = await t.key('changing');
    const client = await t.connect(key);
    expect((await client.listTools()).tools.length).toBeGreaterThan(3);
    const put = await t.call('PUT', `/gateway/api-keys/${id}/allowlist`, { allowed_servers: null, allowed_tools: ['wb__e*'] });
    expect(put.statusCode, put.body).toBe(200);
    expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['wb__echo']);
    const bad = await t.call('PUT', `/gateway/api-keys/${id}/allowlist`, { allowed_servers: ['bad name!'], allowed_tools: null });
    expect(bad.statusCode).toBe(400);
    const missing = await t.call('PUT', '/gateway/api-keys/no-such-key/allowlist', { allowed_servers: null, allowed_tools: null });
    expect(missing.statusCode).toBe(404);
  });

  it('records every message with the caller and the session id', async () => {
    const { key } = await t.key('recorded');
    const client = await t.connect(key);
    await client.callTool({ name: 'wb__echo', arguments: { message: 'record me' } });
    const sid = sessionIdOf(client);
    const upstream = (await t.mcpLog('wb', '&method=tools/call')).filter((r) => String(r.payload).includes('record me'));
    expect(upstream.map((r) => r.direction).sort()).toEqual(['in', 'out']);
    for (const r of upstream) expect(r).toMatchObject({ caller: 'api_key:recorded', session_id: sid });
    const front = (await t.mcpLog('gateway', '&method=tools/call')).filter((r) => String(r.payload).includes('record me'));
    expect(front.length).toBe(2);
    for (const r of front) expect(r).toMatchObject({ caller: 'api_key:recorded', session_id: sid });
  });

  it('forwards progress and cancellation both ways', async () => {
    const { key } = await t.key('progress');
    const client = await t.connect(key);
    const seen: number[] = [];
    const r = await client.callTool({ name: 'wb__slow', arguments: { ms: 200, steps: 4 } }, { onprogress: (p) => seen.push(p.progress) });
    expect(JSON.stringify(r.content)).toContain('waited 200 ms');
    // The SDK dispatches notifications a microtask after responses, so a progress that arrives in the
    // same chunk as the result can be dropped by a client; the earlier ones arrive in order.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([1, 2, 3, 4].slice(0, seen.length));

    const ac = new AbortController();
    const pending = client.callTool({ name: 'wb__slow', arguments: { ms: 60_000, steps: 60 } }, { signal: ac.signal });
    await new Promise((r2) => setTimeout(r2, 300));
    ac.abort('user cancelled');
    await expect(pending).rejects.toThrow();
    // The upstream got its own notifications/cancelled for the request the gateway made.
    await waitFor(async () => (await t.mcpLog('wb', '&method=notifications/cancelled')).length > 0, 20_000, 'cancel upstream');
    expect((await client.callTool({ name: 'wb__echo', arguments: { message: 'after cancel' } })).content).toEqual([{ type: 'text', text: 'after cancel' }]);
  }, 120_000);
});

describe('gateway auth and bad input', () => {
  it('refuses a request without a key or with a wrong key (401 with WWW-Authenticate)', async () => {
    const none = await post('/mcp', init, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await post('/mcp', init, { authorization: 'Bearer mcps_wrongwrongwrongwrongwrongwrongwrong' });
    expect(wrong.status).toBe(401);
    const { key } = await t.key('viewer-key', { role: 'viewer' });
    const viewer = await post('/mcp', init, { authorization: `Bearer ${key}` });
    expect(viewer.status).toBe(403);
  });

  it('answers malformed JSON, batches, non-messages, huge bodies and missing or unknown sessions with errors', async () => {
    const { key } = await t.key('bad-input');
    const auth = { authorization: `Bearer ${key}` };
    const malformed = await post('/mcp', '{"jsonrpc": "2.0", "id": 1, "method": ', auth);
    expect(malformed.status).toBe(400);
    expect((await rpcError(malformed)).code).toBe(-32700);
    const batch = await post('/mcp', `[${init}]`, auth);
    expect(batch.status).toBe(400);
    expect((await rpcError(batch))).toMatchObject({ code: -32600, message: expect.stringMatching(/batch/) });
    const notRpc = await post('/mcp', '{"hello": "world"}', auth);
    expect((await rpcError(notRpc)).code).toBe(-32600);
    const noSession = await post('/mcp', JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), auth);
    expect(noSession.status).toBe(400);
    const unknown = await post('/mcp', JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), { ...auth, 'mcp-session-id': 'not-a-session' });
    expect(unknown.status).toBe(404);
    const badInit = await post('/mcp', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { nonsense: true } }), auth);
    expect(badInit.status).toBeGreaterThanOrEqual(200);
    expect(JSON.stringify(await badInit.text())).toMatch(/error/);
    expect((await t.call('GET', '/gateway/sessions')).json().items.some((x: { caller: string }) => x.caller === 'api_key:bad-input')).toBe(false);
    const huge = await post('/mcp', JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'wb__echo', arguments: { message: 'x'.repeat(2 * 1024 * 1024) } } }), auth);
    expect(huge.status).toBe(413);
    // Still serving.
    const client = await t.connect(key);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('refuses a browser Origin that is not this server', async () => {
    const { key } = await t.key('origin');
    const evil = await post('/mcp', init, { authorization: `Bearer ${key}`, origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    const badHost = await rawPost('/mcp', init, { authorization: `Bearer ${key}`, host: 'evil.example' });
    expect(badHost).toBe(400);
    const same = await post('/mcp', init, { authorization: `Bearer ${key}`, origin: t.base });
    expect(same.status).toBe(200);
    // Fastify's headers survive the hand-over to the SDK transport.
    expect(same.headers.get('x-request-id')).toBeTruthy();
    expect(same.headers.get('x-content-type-options')).toBe('nosniff');
    expect(same.headers.get('mcp-session-id')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('follows the cors.origins runtime setting: an origin added by an admin is accepted at once', async () => {
    const { key } = await t.key('origin-setting');
    const ui = 'https://ops-console.example';
    expect((await post('/mcp', init, { authorization: `Bearer ${key}`, origin: ui })).status).toBe(403);
    expect((await t.call('PUT', '/system/config', { 'cors.origins': [ui] })).statusCode).toBe(200);
    expect((await post('/mcp', init, { authorization: `Bearer ${key}`, origin: ui })).status).toBe(200);
    expect((await t.call('PUT', '/system/config', { 'cors.origins': null })).statusCode).toBe(200);
    expect((await post('/mcp', init, { authorization: `Bearer ${key}`, origin: ui })).status).toBe(403);
  });

  it('binds a session to the key that opened it: another key replaying the id gets 404', async () => {
    const { key: a } = await t.key('owner');
    const { key: b } = await t.key('thief');
    const client = await t.connect(a);
    const sid = sessionIdOf(client);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' });
    const stolen = await post('/mcp', list, { authorization: `Bearer ${b}`, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
    expect(stolen.status).toBe(404);
    const other = await post('/mcp/wb', list, { authorization: `Bearer ${a}`, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
    expect(other.status).toBe(404);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);

    const sessions = await t.call('GET', '/gateway/sessions');
    expect(sessions.statusCode).toBe(200);
    expect(sessions.json().items).toEqual(expect.arrayContaining([expect.objectContaining({ id: sid, endpoint: '/mcp', caller: 'api_key:owner', client: { name: 'test-client', version: '1.0.0' } })]));
  });

  it('fails a call at once when its server dies mid-call; other sessions and servers keep working', async () => {
    const { pid } = await t.addServer('doomed', [WELL_BEHAVED]);
    const { key } = await t.key('death');
    const a = await t.connect(key);
    const b = await t.connect(key);
    const pending = a.callTool({ name: 'doomed__slow', arguments: { ms: 60_000, steps: 60 } });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    process.kill(pid, 'SIGKILL');
    await expect(pending).rejects.toThrow(/doomed.*closed the connection|doomed.*killed/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await b.callTool({ name: 'wb__echo', arguments: { message: 'alive' } })).content).toEqual([{ type: 'text', text: 'alive' }]);
    expect((await a.callTool({ name: 'wb__echo', arguments: { message: 'alive too' } })).content).toEqual([{ type: 'text', text: 'alive too' }]);
    await waitFor(async () => !(await a.listTools()).tools.some((x) => x.name.startsWith('doomed__')), 20_000, 'doomed to leave the list');
  }, 120_000);

  it('tells sessions when a server starts or stops (tools/list_changed)', async () => {
    const { key } = await t.key('changes');
    const transport = new StreamableHTTPClientTransport(new URL(`${t.base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
    let changed = 0;
    const client = new Client({ name: 'watcher', version: '1' }, { listChanged: { tools: { onChanged: () => void changed++, autoRefresh: false } } });
    await client.connect(transport);
    t.clients.push(client);
    await client.listTools();
    await t.addServer('late', [WELL_BEHAVED]);
    await waitFor(() => changed > 0, 20_000, 'tools/list_changed');
    expect((await client.listTools()).tools.map((x) => x.name)).toContain('late__echo');
  }, 120_000);

  it('serves older clients over the legacy SSE transport (/sse + /messages), bound to the key, refusing invalid messages with 400', async () => {
    const { key } = await t.key('sse-user', { allowed_servers: ['wb'] });
    const client = new Client({ name: 'old-client', version: '1' });
    await client.connect(new SSEClientTransport(new URL(`${t.base}/sse`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    t.clients.push(client);
    expect((await client.listTools()).tools.every((x) => x.name.startsWith('wb__'))).toBe(true);
    expect((await client.callTool({ name: 'wb__echo', arguments: { message: 'over sse' } })).content).toEqual([{ type: 'text', text: 'over sse' }]);
    const session = (await t.call('GET', '/gateway/sessions')).json().items.find((x: { caller: string }) => x.caller === 'api_key:sse-user');
    expect(session).toMatchObject({ transport: 'sse', endpoint: '/mcp' });
    const messages = `/messages?sessionId=${encodeURIComponent(session.id)}`;
    for (const [bad, id] of [['{"jsonrpc":"2.0","id":6,"method":"tools/call","params":"oops"}', 6], ['{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', null], ['{"jsonrpc":"2.0","id":[1,2],"method":"ping"}', null]] as const) {
      const refused = await post(messages, bad, { authorization: `Bearer ${key}` });
      expect(refused.status, bad).toBe(400);
      expect(await refused.json(), bad).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32600, message: expect.stringMatching(/^Invalid Request: (params|id) must be/) } });
    }
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const { key: other } = await t.key('sse-thief');
    const stolen = await post(`/messages?sessionId=${encodeURIComponent(session.id)}`, JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }), { authorization: `Bearer ${other}` });
    expect(stolen.status).toBe(404);
    const noKey = await fetch(`${t.base}/sse`);
    expect(noKey.status).toBe(401);
    await client.close();
    await waitFor(async () => !(await t.call('GET', '/gateway/sessions')).json().items.some((x: { id: string }) => x.id === session.id), 10_000, 'sse session to end');
  });

  it('forwards servers\' logging messages to sessions, logger prefixed with the server', async () => {
    const { key } = await t.key('logs', { allowed_servers: ['everything'] });
    const client = await t.connect(key);
    const seen: Array<{ level: string; logger?: string | undefined }> = [];
    client.setNotificationHandler('notifications/message', (n) => void seen.push(n.params));
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'everything__toggle-simulated-logging', arguments: {} });
    await waitFor(() => seen.length > 0, 20_000, 'a logging message');
    expect(seen[0]).toMatchObject({ logger: 'everything', level: expect.any(String) });
    await client.callTool({ name: 'everything__toggle-simulated-logging', arguments: {} });
  });
});
