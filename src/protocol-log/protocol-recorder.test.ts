import { describe, expect, it } from 'vitest';
import type { NewMcpLogRow } from '../protocol-log/mcp-log.table.js';
import { NOT_SERIALISABLE } from './payload.js';
import { createTrafficRecorder, type TrafficRecorderOptions } from './protocol-recorder.js';

function make(over: Partial<TrafficRecorderOptions> = {}) {
  const rows: NewMcpLogRow[] = [];
  const batches: number[] = [];
  let t = 1_000;
  const sut = createTrafficRecorder({
    insert: async (b) => {
      batches.push(b.length);
      rows.push(...b);
    },
    flushIntervalMs: 60_000,
    now: () => t,
    ...over,
  });
  return { sut, rows, batches, advance: (ms: number) => void (t += ms) };
}

describe('traffic recorder', () => {
  it('pairs responses with requests per server and direction: duration, method, caller, outcome', async () => {
    const { sut, rows, advance } = make();
    sut.record('a', 'out', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } }, { caller: 'user:ann', sessionId: 's1' });
    sut.record('b', 'out', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    advance(42);
    sut.record('a', 'in', { jsonrpc: '2.0', id: 1, result: { content: [] } });
    advance(8);
    sut.record('b', 'in', { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'nope' } });
    sut.record('a', 'out', { jsonrpc: '2.0', id: 2, method: 'tools/call' }, { caller: 'api_key:ci' });
    advance(5);
    sut.record('a', 'in', { jsonrpc: '2.0', id: 2, result: { content: [], isError: true } });
    // A request from the server (ping) answered by the platform.
    sut.record('a', 'in', { jsonrpc: '2.0', id: 'srv-1', method: 'ping' });
    advance(1);
    sut.record('a', 'out', { jsonrpc: '2.0', id: 'srv-1', result: {} });
    sut.record('a', 'in', { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await sut.close();

    const brief = rows.map((r) => [r.server, r.direction, r.method, r.jsonrpc_id, r.caller, r.duration_ms, r.outcome, r.error_code]);
    expect(brief).toEqual([
      ['a', 'out', 'tools/call', '1', 'user:ann', null, null, null],
      ['b', 'out', 'tools/list', '1', null, null, null, null],
      ['a', 'in', 'tools/call', '1', 'user:ann', 42, 'ok', null],
      ['b', 'in', 'tools/list', '1', null, 50, 'error', -32601],
      ['a', 'out', 'tools/call', '2', 'api_key:ci', null, null, null],
      ['a', 'in', 'tools/call', '2', 'api_key:ci', 5, 'error', null],
      ['a', 'in', 'ping', 'srv-1', null, null, null, null],
      ['a', 'out', 'ping', 'srv-1', null, 1, 'ok', null],
      ['a', 'in', 'notifications/tools/list_changed', null, null, null, null, null],
    ]);
    expect(rows[2]!.session_id).toBe('s1');
    expect(sut.stats()).toMatchObject({ written: 9, dropped: 0, pending: 0 });
  });

  it('pairs each response with its own session\'s request when sessions use the same ids at once (the gateway\'s clients)', async () => {
    const { sut, rows, advance } = make();
    sut.record('gateway', 'in', { jsonrpc: '2.0', id: 1, method: 'tools/call' }, { caller: 'api_key:a', sessionId: 'sa' });
    sut.record('gateway', 'in', { jsonrpc: '2.0', id: 1, method: 'resources/read' }, { caller: 'api_key:b', sessionId: 'sb' });
    advance(10);
    sut.record('gateway', 'out', { jsonrpc: '2.0', id: 1, result: {} }, { caller: 'api_key:b', sessionId: 'sb' });
    advance(10);
    sut.record('gateway', 'out', { jsonrpc: '2.0', id: 1, result: {} }, { caller: 'api_key:a', sessionId: 'sa' });
    await sut.close();
    const responses = rows.filter((r) => r.direction === 'out').map((r) => [r.session_id, r.method, r.duration_ms]);
    expect(responses).toEqual([['sb', 'resources/read', 10], ['sa', 'tools/call', 20]]);
    expect(sut.stats().pending).toBe(0);
  });

  it('caps payloads at the configured size and keeps the full size', async () => {
    const { sut, rows } = make({ payloadCap: 100 });
    const big = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'é'.repeat(5000) }] } };
    sut.record('a', 'in', big);
    await sut.close();
    const full = Buffer.byteLength(JSON.stringify(big));
    expect(rows[0]!.size).toBe(full);
    expect(rows[0]!.payload).toMatch(new RegExp(`…\\[truncated: ${full} bytes\\]$`));
    expect(Buffer.byteLength(rows[0]!.payload!.replace(/…\[truncated.*$/, ''))).toBeLessThanOrEqual(100);
    expect(rows[0]!.payload).not.toContain('\uFFFD');
  });

  it('records a message nested too deep to serialise with a clear marker, not a null payload and an error', async () => {
    const errors: unknown[] = [];
    const { sut, rows } = make({ onError: (err) => errors.push(err) });
    const deep = JSON.parse(`{"jsonrpc":"2.0","id":4,"result":{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`) as object;
    sut.record('a', 'in', deep);
    await sut.close();
    expect(rows[0]).toMatchObject({ payload: NOT_SERIALISABLE, jsonrpc_id: '4' });
    expect(errors).toEqual([]);
  });

  it('redacts sensitive keys at any depth and known secret values', async () => {
    const { sut, rows } = make({ redact: (t) => t.replaceAll('hunter2-value', '[REDACTED:DB_PASS]'), sensitiveKeys: ['x-tenant'] });
    sut.record('a', 'out', {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'login',
        _meta: { progressToken: 7 },
        arguments: {
          user: 'ann',
          password: 'p1',
          nested: [{ deeper: { API_KEY: 'k1', Authorization: 'Bearer t1', clientSecret: { any: 'thing' }, 'X-Tenant': 'acme' } }],
          note: 'connect with hunter2-value please',
          github_token: 'ghp_x',
        },
      },
    });
    await sut.close();
    const p = rows[0]!.payload!;
    for (const leaked of ['p1', 'k1', 'Bearer t1', 'thing', 'acme', 'hunter2-value', 'ghp_x']) expect(p).not.toContain(leaked);
    expect(JSON.parse(p)).toMatchObject({
      params: {
        _meta: { progressToken: 7 },
        arguments: {
          user: 'ann',
          password: '[REDACTED]',
          nested: [{ deeper: { API_KEY: '[REDACTED]', Authorization: '[REDACTED]', clientSecret: '[REDACTED]', 'X-Tenant': '[REDACTED]' } }],
          note: 'connect with [REDACTED:DB_PASS] please',
        },
      },
    });
  });

  it('drops the oldest unwritten entries when full, counts them, and never blocks the caller', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rows: NewMcpLogRow[] = [];
    const sut = createTrafficRecorder({
      insert: async (b) => {
        await gate; // the database is stuck
        rows.push(...b);
      },
      maxBuffer: 100,
      batchSize: 10,
      flushIntervalMs: 60_000,
    });
    const started = performance.now();
    for (let i = 0; i < 10; i++) sut.record('a', 'out', { jsonrpc: '2.0', method: 'n', params: { i } });
    await new Promise((r) => setImmediate(r)); // the first batch is now being written (and stuck)
    for (let i = 10; i < 1_000; i++) sut.record('a', 'out', { jsonrpc: '2.0', method: 'n', params: { i } });
    expect(performance.now() - started).toBeLessThan(500);
    expect(sut.stats()).toMatchObject({ buffered: 100, dropped: 890 });
    release();
    await sut.close();
    const seen = rows.map((r) => (JSON.parse(r.payload!) as { params: { i: number } }).params.i);
    // The batch in flight, then the newest 100.
    expect(seen).toEqual([...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 100 }, (_, i) => 900 + i)]);
    expect(sut.stats()).toMatchObject({ written: 110, dropped: 890, buffered: 0 });
  });

  it('writes full batches at once, the rest on the timer, and everything on close', async () => {
    const { sut, batches } = make({ batchSize: 50 });
    for (let i = 0; i < 120; i++) sut.record('a', 'out', { jsonrpc: '2.0', method: 'n' });
    await new Promise((r) => setTimeout(r, 20));
    expect(batches.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100);
    expect(sut.stats().buffered).toBeLessThan(50);
    await sut.close();
    expect(batches.reduce((a, b) => a + b, 0)).toBe(120);
    sut.record('a', 'out', { jsonrpc: '2.0', method: 'late' });
    expect(sut.stats().buffered).toBe(0);

    const timed = make({ flushIntervalMs: 20 });
    timed.sut.record('a', 'out', { jsonrpc: '2.0', method: 'n' });
    await new Promise((r) => setTimeout(r, 80));
    expect(timed.rows).toHaveLength(1);
    await timed.sut.close();
  });

  it('writes a message within 100 ms by default (what a kill -9 can lose), and keeps no timer while idle', async () => {
    const rows: unknown[] = [];
    const sut = createTrafficRecorder({ insert: async (r) => void rows.push(...r) });
    await new Promise((r) => setTimeout(r, 150));
    const idle = process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length;
    const at = performance.now();
    sut.record('a', 'out', { jsonrpc: '2.0', method: 'n' });
    while (rows.length === 0 && performance.now() - at < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(rows).toHaveLength(1);
    expect(performance.now() - at).toBeLessThan(300);
    expect(process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length).toBeLessThanOrEqual(idle);
    await sut.close();
  });

  it('counts a batch the database refuses as failed and goes on', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const sut = createTrafficRecorder({
      insert: async () => {
        if (++calls === 1) throw new Error('disk full');
      },
      flushIntervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    sut.record('a', 'out', { jsonrpc: '2.0', method: 'n' });
    await sut.flush();
    sut.record('a', 'out', { jsonrpc: '2.0', method: 'n' });
    await sut.close();
    expect(sut.stats()).toMatchObject({ failed: 1, written: 1 });
    expect(errors).toHaveLength(1);
  });
});
