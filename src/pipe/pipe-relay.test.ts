import { afterEach, describe, expect, it } from 'vitest';
import { fixtureConfig, fixturePath } from '../../test/helpers/fixtures.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { redactEndpoint } from './endpoint-url.js';
import type { PipeTarget } from './pipe-config.js';
import type { PipeLog } from './pipe-log.js';
import { createPipeRelay, type PipeRelay } from './pipe-relay.js';
import { openTransportFor } from './pipe-transports.js';
import { createTestEndpoint, type TestEndpoint } from '../../test/helpers/pipe-endpoint.js';

const SPLIT_WRITER = fixturePath('tiny').replace(/tiny\.mjs$/, 'split-writer.mjs');
const TIMING = { backoffBaseMs: 200, backoffMaxMs: 2000, stableMs: 3000, pingIntervalMs: 500, pongTimeoutMs: 1500 };
const relays: PipeRelay[] = [];
const endpoints: TestEndpoint[] = [];

afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
}, 30_000);

function captureLog(): PipeLog & { lines: string[] } {
  const lines: string[] = [];
  const push = (lvl: string) => (msg: string) => void lines.push(`${lvl} ${msg}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

function stdio(fixture: Parameters<typeof fixturePath>[0], env: Record<string, string> = {}): PipeTarget {
  const c = fixtureConfig('fixture', fixture);
  return { name: 'fixture', kind: 'stdio', command: c.command!, args: [...c.args!], env, cwd: undefined, endpoint: undefined };
}

async function pipe(target: PipeTarget, endpointUrl: string, log = captureLog(), timing = TIMING) {
  const relay = createPipeRelay({
    endpoint: async () => endpointUrl,
    display: redactEndpoint(endpointUrl),
    open: openTransportFor(target, { inheritedEnv: { PATH: process.env['PATH'] ?? '' }, log }),
    log,
    timing,
    maxInFlight: target.kind === 'stdio' ? 1 : 32,
  });
  relays.push(relay);
  relay.start();
  return { relay, log };
}

async function endpoint(opts?: Parameters<typeof createTestEndpoint>[0]) {
  const e = await createTestEndpoint(opts);
  endpoints.push(e);
  return e;
}

describe('pipe relay (WebSocket endpoint <-> stdio MCP server)', () => {
  it('relays initialize, tools/list and tools/call both ways, and counts the messages', async () => {
    const ep = await endpoint();
    const { relay, log } = await pipe(stdio('well-behaved'), ep.url());
    const conn = await ep.connection(1);
    expect(conn.url).toBe('/mcp/?token=test-token-abcdef123456');

    const init = await conn.initialize();
    expect(init.result).toMatchObject({ serverInfo: { name: 'well-behaved' }, capabilities: { tools: {} } });
    const list = await conn.request('tools/list');
    expect(list.result.tools.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['echo', 'add']));
    const call = await conn.request('tools/call', { name: 'add', arguments: { a: 2, b: 40 } });
    expect(call.result).toMatchObject({ structuredContent: { sum: 42 } });

    // A tool error stays a tool result; an unknown method a JSON-RPC error: both pass through unchanged.
    const unknown = await conn.request('no/such/method');
    expect(unknown.error).toMatchObject({ code: -32601 });

    const s = relay.status();
    expect(s).toMatchObject({ state: 'connected', connects: 1, messages_in: 5, messages_out: 4, server: { state: 'running', restarts: 0 } });
    expect(s.endpoint).toBe(`ws://127.0.0.1:${ep.port}/mcp/?token=***`);
    expect(log.lines.join('\n')).not.toContain('test-token-abcdef123456');
  });

  it('answers a frame that is not JSON-RPC with a JSON-RPC error and keeps the connection', async () => {
    const ep = await endpoint();
    await pipe(stdio('tiny'), ep.url());
    const conn = await ep.connection(1);
    conn.ws.send('this is not json');
    conn.ws.send(JSON.stringify({ hello: 'world', id: 7 }));
    await waitFor(() => conn.frames.length >= 2, 10_000, 'two error answers');
    expect(JSON.parse(conn.frames[0]!)).toMatchObject({ id: null, error: { code: -32700 } });
    expect(JSON.parse(conn.frames[1]!)).toMatchObject({ id: 7, error: { code: -32600 } });
    expect((await conn.initialize()).result.serverInfo.name).toBe('tiny');
    expect(ep.connections).toHaveLength(1);
  });

  it('sends a 200 KB result as one frame', async () => {
    const ep = await endpoint();
    await pipe(stdio('well-behaved'), ep.url());
    const conn = await ep.connection(1);
    await conn.initialize();
    const big = 'x'.repeat(200 * 1024);
    const before = conn.frames.length;
    const r = await conn.request('tools/call', { name: 'echo', arguments: { message: big } });
    expect(r.result.content[0].text).toBe(big);
    const frames = conn.frames.slice(before);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.length).toBeGreaterThan(200 * 1024);
  });

  it('holds a partial stdout line until its newline: a message is never sent in pieces', async () => {
    const ep = await endpoint();
    const target: PipeTarget = { name: 'split', kind: 'stdio', command: process.execPath, args: [SPLIT_WRITER], env: { SPLIT_PAUSE_MS: '150' }, cwd: undefined, endpoint: undefined };
    await pipe(target, ep.url());
    const conn = await ep.connection(1);
    expect((await conn.initialize()).result.serverInfo.name).toBe('split-writer');
    const before = conn.frames.length;
    const r = await conn.request('tools/call', { name: 'echo', arguments: { message: 'in three pieces' } });
    expect(r.result.content[0].text).toBe('in three pieces');
    expect(conn.frames.slice(before)).toHaveLength(1);
    expect(() => conn.frames.forEach((f) => JSON.parse(f))).not.toThrow();
  });

  it('relays 1,000 messages without loss or reordering', async () => {
    const ep = await endpoint();
    const { relay } = await pipe(stdio('tiny'), ep.url());
    const conn = await ep.connection(1);
    await conn.initialize();
    const before = conn.frames.length;
    for (let i = 0; i < 1000; i++) {
      conn.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1000 + i, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${i}` } } }));
    }
    await waitFor(() => conn.frames.length >= before + 1000, 30_000, '1,000 answers');
    const answers = conn.frames.slice(before).map((f) => JSON.parse(f) as { id: number; result: { content: { text: string }[] } });
    expect(answers.map((a) => a.id)).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
    expect(answers.every((a, i) => a.result.content[0]!.text === `m${i}`)).toBe(true);
    expect(relay.status()).toMatchObject({ messages_in: 1002, messages_out: 1001 });
  });

  it('pauses reading from the endpoint while the server lags, and loses nothing (5,000 in a burst)', async () => {
    const ep = await endpoint();
    await pipe(stdio('tiny'), ep.url());
    const conn = await ep.connection(1);
    await conn.initialize();
    const before = conn.frames.length;
    const batch = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ jsonrpc: '2.0', id: 10_000 + i, method: 'tools/call', params: { name: 'echo', arguments: { message: `b${i}` } } }));
    for (const frame of batch) conn.ws.send(frame);
    await waitFor(() => conn.frames.length >= before + 5000, 60_000, '5,000 answers');
    const ids = conn.frames.slice(before).map((f) => (JSON.parse(f) as { id: number }).id);
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => 10_000 + i));
  }, 90_000);

  it('reconnects within the backoff when the endpoint drops the connection, with a new server session', async () => {
    const ep = await endpoint();
    const { relay, log } = await pipe(stdio('tiny'), ep.url());
    const first = await ep.connection(1);
    await first.initialize();
    first.ws.terminate();
    const second = await ep.connection(2, 15_000);
    expect((await second.initialize()).result.serverInfo.name).toBe('tiny');
    expect((await second.request('tools/call', { name: 'echo', arguments: { message: 'back' } })).result.content[0].text).toBe('back');
    expect(relay.status()).toMatchObject({ state: 'connected', connects: 2 });
    expect(log.lines.some((l) => /reconnecting in 0\.[12]\d* s \(attempt 1\)/.test(l))).toBe(true);
  });

  it('retries with growing delays while the endpoint is down, and connects once it is back', async () => {
    const ep = await endpoint();
    const port = ep.port;
    await ep.close();
    endpoints.splice(0);
    const { relay, log } = await pipe(stdio('tiny'), `ws://127.0.0.1:${port}/mcp/?token=abcdefgh`);
    await waitFor(() => relay.status().attempts >= 3, 15_000, 'three failed attempts');
    const delays = log.lines.filter((l) => l.includes('reconnecting in')).map((l) => Number(/in ([\d.]+) s/.exec(l)![1]));
    expect(delays[2]!).toBeGreaterThan(delays[0]!);
    expect(relay.status()).toMatchObject({ state: expect.stringMatching(/retrying|connecting/), last_error: expect.stringContaining('ECONNREFUSED') });

    const back = await endpoint({ port });
    const conn = await back.connection(1, 15_000);
    expect((await conn.initialize()).result.serverInfo.name).toBe('tiny');
    expect(log.lines.join('\n')).not.toContain('abcdefgh');
  });

  it('starts again from the first delay after a connection that stayed up (stable)', async () => {
    const ep = await endpoint();
    const port = ep.port;
    await ep.close();
    endpoints.splice(0);
    const { relay, log } = await pipe(stdio('tiny'), `ws://127.0.0.1:${port}/mcp/?token=abcdefgh`, captureLog(), { ...TIMING, stableMs: 500 });
    await waitFor(() => relay.status().attempts >= 3, 15_000, 'three failed attempts');
    const back = await endpoint({ port });
    const conn = await back.connection(1, 15_000);
    // The endpoint sees the connection before the relay's own `open` event (a race on a loaded machine).
    await waitFor(() => relay.status().state === 'connected', 5_000, 'the relay to see its connection');
    expect(relay.status()).toMatchObject({ state: 'connected', last_error: expect.stringContaining('ECONNREFUSED') });
    await new Promise((r) => setTimeout(r, 800)); // longer than stableMs
    const before = log.lines.length;
    conn.ws.terminate();
    await back.connection(2, 15_000);
    const retry = log.lines.slice(before).find((l) => l.includes('reconnecting in'));
    expect(retry).toMatch(/reconnecting in 0\.[12]\d* s \(attempt 1\)/);
    expect(relay.status().last_error).toMatch(/^connection closed \(code 1006\)/);
  });

  it('restarts a crashed server without dropping the WebSocket, and the session goes on', async () => {
    const ep = await endpoint();
    const { relay, log } = await pipe(stdio('crashing'), ep.url());
    const conn = await ep.connection(1);
    await conn.initialize();
    const pid = (await conn.request('tools/call', { name: 'whoami', arguments: {} })).result.structuredContent.pid as number;

    const crashed = await conn.request('tools/call', { name: 'crash', arguments: {} });
    expect(crashed.error).toMatchObject({ code: -32000, message: expect.stringContaining('stopped before answering') });

    // The same connection: the restarted server was initialized again by the pipe.
    await waitFor(() => relay.status().server.state === 'running' && relay.status().server.restarts === 1, 15_000, 'the restart');
    const again = await conn.request('tools/call', { name: 'whoami', arguments: {} });
    expect(again.result.structuredContent.pid).not.toBe(pid);
    expect(ep.connections).toHaveLength(1);
    expect(conn.ws.readyState).toBe(conn.ws.OPEN);
    expect(relay.status()).toMatchObject({ state: 'connected', connects: 1 });
    expect(log.lines.some((l) => l.includes('the WebSocket stayed connected'))).toBe(true);
  });

  it('holds messages sent while the server restarts and delivers them after it is back', async () => {
    const ep = await endpoint();
    const { relay } = await pipe(stdio('crashing'), ep.url());
    const conn = await ep.connection(1);
    await conn.initialize();
    void conn.request('tools/call', { name: 'crash', arguments: {} });
    await waitFor(() => relay.status().server.state === 'restarting', 10_000, 'the crash to be seen');
    const held = await conn.request('tools/call', { name: 'echo', arguments: { message: 'held' } });
    expect(held.result.content[0].text).toBe('held');
  });

  it('stops retrying when the endpoint rejects the token (HTTP 401), and says why', async () => {
    let attempts = 0;
    const counting = await endpoint({ verify: () => (attempts++, 401) });
    const { relay, log } = await pipe(stdio('tiny'), counting.url('token=wrong-token-value'));
    await waitFor(() => relay.status().state === 'fatal', 10_000, 'the pipe to give up');
    await new Promise((r) => setTimeout(r, 1500)); // several backoff periods
    expect(attempts).toBe(1);
    expect(relay.status().last_error).toContain('401');
    expect(log.lines.some((l) => l.startsWith('error') && l.includes('not retrying'))).toBe(true);
    expect(log.lines.join('\n')).not.toContain('wrong-token-value');
  });

  it('stops retrying on a "do not retry" close code after the connection opened (4001)', async () => {
    const ep = await endpoint();
    const { relay } = await pipe(stdio('tiny'), ep.url());
    const conn = await ep.connection(1);
    conn.ws.close(4001, 'token revoked');
    await waitFor(() => relay.status().state === 'fatal', 10_000, 'the pipe to give up');
    expect(relay.status().last_error).toContain('4001');
    await new Promise((r) => setTimeout(r, 1000));
    expect(ep.connections).toHaveLength(1);
  });

  it('drops a connection whose peer stopped answering pings, then reconnects', async () => {
    const ep = await endpoint();
    const { relay } = await pipe(stdio('tiny'), ep.url(), captureLog(), { ...TIMING, pingIntervalMs: 300, pongTimeoutMs: 600 });
    const first = await ep.connection(1);
    // The endpoint's socket stops reading: no pong, no close, like a vanished host.
    (first.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await ep.connection(2, 15_000);
    expect(relay.status().last_error ?? '').toMatch(/no answer to a ping|connection closed/);
  });

  it('stops the server process when the pipe stops', async () => {
    const ep = await endpoint();
    const { relay } = await pipe(stdio('well-behaved'), ep.url());
    const conn = await ep.connection(1);
    await conn.initialize();
    const pid = (await conn.request('tools/call', { name: 'whoami', arguments: {} })).result.structuredContent.pid as number;
    await relay.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(relay.status().state).toBe('stopped');
    await waitFor(() => conn.ws.readyState === conn.ws.CLOSED, 5000, 'the socket to close');
  });
});
