import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/**
 * The sessionful Streamable HTTP transport over real HTTP, as a client without the SDK sees it:
 * plain JSON answers unless something must go first, SSE when it must, the standalone GET stream,
 * DELETE, and the header checks.
 */

let t: GatewayTestApp;
let key: string;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED]);
  key = (await t.key('lean')).key;
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const ACCEPT = 'application/json, text/event-stream';
const VERSION = '2025-06-18';

const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${t.base}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

/** Opens a session by hand (initialize + initialized); returns the headers for its next requests. */
async function openSession(): Promise<Record<string, string>> {
  const init = await post({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  expect(init.status).toBe(200);
  expect(init.headers.get('content-type')).toBe('application/json');
  expect(((await init.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe(VERSION);
  const session = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': VERSION };
  const initialized = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
  expect(initialized.status).toBe(202);
  expect(await initialized.text()).toBe('');
  return session;
}

const call = (id: number, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
});

/** The `data:` payloads of an SSE body. */
const sseMessages = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as { id?: number; method?: string; params?: { progress?: number }; result?: unknown });

describe('gateway Streamable HTTP session transport', () => {
  it('answers a call without a progress token as one application/json response', async () => {
    const session = await openSession();
    const res = await post(call(1, 'wb__echo', { message: 'plain' }), session);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('mcp-session-id')).toBe(session['mcp-session-id']);
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'plain' }] } });
  });

  it('switches to SSE when progress goes before the result: the progress, then the answer', async () => {
    const session = await openSession();
    const res = await post(call(2, 'wb__slow', { ms: 200, steps: 4 }, { progressToken: 'p1' }), session);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const messages = sseMessages(await res.text());
    // The upstream's last progress can share a chunk with its result, and the gateway's SDK client
    // drops it (see gateway.http.test.ts); the earlier ones arrive in order, before the answer.
    const progress = messages.filter((m) => m.method === 'notifications/progress').map((m) => m.params?.progress);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress).toEqual([1, 2, 3, 4].slice(0, progress.length));
    expect(messages.at(-1)).toMatchObject({ id: 2, result: { content: [{ type: 'text', text: expect.stringContaining('waited 200 ms') }] } });
  });

  it('refuses a POST whose Accept lacks text/event-stream (406) and an unsupported protocol version header (400)', async () => {
    const session = await openSession();
    const notAcceptable = await post(call(3, 'wb__echo', { message: 'x' }), { ...session, accept: 'application/json' });
    expect(notAcceptable.status).toBe(406);
    expect(await notAcceptable.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Not Acceptable: Client must accept both application/json and text/event-stream' },
      id: null,
    });
    const badVersion = await post(call(4, 'wb__echo', { message: 'x' }), { ...session, 'mcp-protocol-version': '1999-01-01' });
    expect(badVersion.status).toBe(400);
    expect(((await badVersion.json()) as { error: { code: number; message: string } }).error).toEqual({
      code: -32000,
      message: expect.stringMatching(/^Bad Request: Unsupported protocol version: 1999-01-01 \(supported versions: .*2025-06-18/),
    });
    const getNotAcceptable = await fetch(`${t.base}/mcp`, { headers: { authorization: `Bearer ${key}`, accept: 'application/json', ...session } });
    expect(getNotAcceptable.status).toBe(406);
    // The session is unharmed.
    expect((await post(call(5, 'wb__echo', { message: 'still here' }), session)).status).toBe(200);
  });

  it('answers a malformed body in a session with the JSON-RPC parse error, and a bad envelope with invalid request', async () => {
    const session = await openSession();
    const malformed = await post('{"jsonrpc": "2.0", "id": 6, "method": ', session);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: number } }).error.code).toBe(-32700);
    // Valid JSON that is not a valid request object is -32600 (JSON-RPC 2.0 section 5.1), not -32700.
    const notMessage = await post({ jsonrpc: '2.0', id: { not: 'an id' }, method: 'tools/list' }, session);
    expect(notMessage.status).toBe(400);
    expect(((await notMessage.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('carries server-initiated messages on the one GET stream (a second gets 409)', async () => {
    const session = await openSession();
    const ac = new AbortController();
    const stream = await fetch(`${t.base}/mcp`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...session }, signal: ac.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const second = await fetch(`${t.base}/mcp`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...session } });
    expect(second.status).toBe(409);

    await t.addServer('late', [WELL_BEHAVED]);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!sseMessages(text).some((m) => m.method === 'notifications/tools/list_changed')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before tools/list_changed: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    ac.abort();
  }, 120_000);

  it('ends the session on DELETE: a request still waiting gets "Session closed", the next one 404', async () => {
    const session = await openSession();
    const waiting = post(call(8, 'wb__slow', { ms: 60_000, steps: 60 }), session);
    // The call is in flight once the upstream has it.
    await new Promise((r) => setTimeout(r, 300));
    const del = await fetch(`${t.base}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${key}`, ...session } });
    expect(del.status).toBe(200);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ jsonrpc: '2.0', id: 8, error: { code: -32000, message: 'Session closed' } });
    const after = await post(call(9, 'wb__echo', { message: 'gone' }), session);
    expect(after.status).toBe(404);
    expect(((await after.json()) as { error: { code: number } }).error.code).toBe(-32001);
  });

  it('keeps the session when a client drops a request before its answer', async () => {
    const session = await openSession();
    // node:http without keep-alive: the socket of the dropped request is really gone.
    await new Promise<void>((resolve, reject) => {
      const req = request(`${t.base}/mcp`, {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: ACCEPT, ...session },
      });
      req.on('error', () => resolve());
      req.on('response', () => reject(new Error('answered before the drop')));
      req.end(JSON.stringify(call(10, 'wb__slow', { ms: 400, steps: 2 })), () => setTimeout(() => req.destroy(), 100));
    });
    const res = await post(call(11, 'wb__echo', { message: 'after drop' }), session);
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 11, result: { content: [{ type: 'text', text: 'after drop' }] } });
    // The dropped call ran to its end upstream; the session still answers.
    await new Promise((r) => setTimeout(r, 500));
    expect(await (await post(call(12, 'wb__echo', { message: 'later' }), session)).json()).toMatchObject({ id: 12 });
  });
});
