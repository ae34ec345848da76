import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { openSse, type SseClient } from '../../test/helpers/sse-client.js';

/** The live streams over HTTP on a listening app (SQLite, or PostgreSQL with TEST_DATABASE_URL). */

let t: GatewayTestApp;
let viewer: { authorization: string };
const open: SseClient[] = [];
const sse = async (path: string, headers: Record<string, string> = t.admin) => {
  const c = await openSse(`${t.base}/api/v1${path}`, headers);
  open.push(c);
  return c;
};
const rowOf = (data: string) => JSON.parse(data) as Record<string, unknown>;
const echo = (server: string, message: string) => t.call('POST', `/tools/${server}/call`, { tool: 'echo', arguments: { message } });

beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED], { env: { FIXTURE_STDERR_ECHO: '1' } });
  await t.addServer('other', [WELL_BEHAVED]);
  viewer = await t.as('viewer');
}, 60_000);
afterAll(async () => {
  for (const c of open) c.close();
  await t?.closeAndCheck();
});

describe('GET /logs/stream', () => {
  it('refuses a request without credentials, and the operation log to a role without logs:audit:read', async () => {
    expect((await sse('/logs/stream?kind=mcp', {})).status).toBe(401);
    const refused = await sse('/logs/stream?kind=operations', viewer);
    expect(refused.status).toBe(403);
    expect((await sse('/logs/stream?kind=mcp', viewer)).status).toBe(200);
    const key = await t.key('only-other', { allowed_servers: ['other'], role: 'viewer' });
    expect((await sse('/logs/stream?kind=system', { authorization: `Bearer ${key.key}` })).status).toBe(403);
  });

  it('refuses a filter that is not one of the log', async () => {
    const res = await t.call('GET', '/logs/stream?kind=system&server=wb');
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/server is not a filter of the system log/);
  });

  it('streams new protocol-log rows matching the filters, and only those', async () => {
    const c = await sse('/logs/stream?kind=mcp&server=wb&method=tools/call');
    expect(c.status).toBe(200);
    expect(c.contentType).toMatch(/^text\/event-stream/);
    await echo('other', 'not-for-this-stream');
    await echo('wb', 'live-one');
    const e = await c.next((x) => x.event === 'message' && String(rowOf(x.data)['payload']).includes('live-one'));
    const row = rowOf(e.data);
    expect(row).toMatchObject({ server: 'wb', method: 'tools/call' });
    expect(e.id).toBe(String(row['id']));
    expect(c.events.filter((x) => x.event === 'message').every((x) => rowOf(x.data)['server'] === 'wb' && rowOf(x.data)['method'] === 'tools/call')).toBe(true);
  });

  it('follows the system log at the level asked', async () => {
    const c = await sse('/logs/stream?kind=system&level=error');
    t.ctx.log.warn('stream-test warn (below the filter)');
    t.ctx.log.error('stream-test error (in the filter)');
    const e = await c.next((x) => x.event === 'message' && rowOf(x.data)['msg'] === 'stream-test error (in the filter)');
    expect(rowOf(e.data)['level']).toBe('error');
    expect(c.events.some((x) => x.event === 'message' && String(rowOf(x.data)['msg']).includes('below the filter'))).toBe(false);
  });

  it('resumes after Last-Event-ID with the rows missed while away', async () => {
    const first = await sse('/logs/stream?kind=mcp&server=wb');
    await echo('wb', 'before-drop');
    const seen = await first.next((x) => x.event === 'message' && String(rowOf(x.data)['payload']).includes('before-drop'));
    await first.next((x) => x.event === 'message' && rowOf(x.data)['direction'] === 'in' && Number(x.id) > Number(seen.id));
    const lastId = first.events.filter((x) => x.event === 'message').at(-1)!.id!;
    first.close();
    await echo('wb', 'while-away');
    await t.ctx.servers.recorder.flush();
    const again = await sse('/logs/stream?kind=mcp&server=wb', { ...t.admin, 'last-event-id': lastId });
    const missed = await again.next((x) => x.event === 'message' && String(rowOf(x.data)['payload']).includes('while-away'));
    const ids = again.events.filter((x) => x.event === 'message').map((x) => Number(x.id));
    expect(Math.min(...ids)).toBeGreaterThan(Number(lastId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(Number(missed.id)).toBeGreaterThan(Number(lastId));
  });

  it('follows the operation log for an operator', async () => {
    const c = await sse('/logs/stream?kind=operations&action=server.call');
    await echo('other', 'audited');
    const e = await c.next((x) => x.event === 'message');
    expect(rowOf(e.data)).toMatchObject({ action: 'server.call', target_id: expect.any(String) });
  });
});

describe('GET /tools/{id}/stderr/stream', () => {
  it('refuses without credentials and hides a server outside a key\'s allowlist', async () => {
    expect((await sse('/tools/wb/stderr/stream', {})).status).toBe(401);
    const key = await t.key('only-other-2', { allowed_servers: ['other'], role: 'viewer' });
    expect((await sse('/tools/wb/stderr/stream', { authorization: `Bearer ${key.key}` })).status).toBe(404);
  });

  it('sends the recent lines, then each line the server writes; resumes by line number', async () => {
    await echo('wb', 'stderr-before');
    const c = await sse('/tools/wb/stderr/stream?tail=10');
    const recent = await c.next((x) => JSON.parse(x.data).line === 'echo on stderr: stderr-before');
    await echo('wb', 'stderr-live');
    const live = await c.next((x) => JSON.parse(x.data).line === 'echo on stderr: stderr-live');
    expect(Number(live.id)).toBeGreaterThan(Number(recent.id));
    c.close();
    await echo('wb', 'stderr-missed');
    const again = await sse('/tools/wb/stderr/stream', { ...t.admin, 'last-event-id': live.id! });
    const missed = await again.next((x) => JSON.parse(x.data).line === 'echo on stderr: stderr-missed');
    expect(again.events.filter((x) => x.event === 'message').map((x) => x.id)).toEqual([missed.id]);
  });
});

describe('secret values on the streams', () => {
  it('redacts a secret value a server writes to stderr, on the replay and live', async () => {
    const value = 'stream-canary-9f3b2c7d1e';
    expect((await t.call('POST', '/secrets', { name: 'STREAM_CANARY', value })).statusCode).toBe(201);
    await t.addServer('secretive', [WELL_BEHAVED], { env: { FIXTURE_STDERR_ECHO: '1', STREAM_CANARY: '${secret:STREAM_CANARY}' } });
    await echo('secretive', `before ${value}`);
    const c = await sse('/tools/secretive/stderr/stream?tail=10');
    await c.next((x) => x.event === 'message' && JSON.parse(x.data).line.startsWith('echo on stderr: before'));
    await echo('secretive', `live ${value}`);
    await c.next((x) => x.event === 'message' && JSON.parse(x.data).line.startsWith('echo on stderr: live'));
    const lines = c.events.filter((x) => x.event === 'message').map((x) => JSON.parse(x.data).line as string);
    expect(lines.join('\n')).not.toContain(value);
    expect(lines.filter((l) => l.startsWith('echo on stderr:'))).toHaveLength(2);
  });
});

describe('shutdown', () => {
  it('closes the app promptly with streams open', async () => {
    const a = await sse('/logs/stream?kind=mcp');
    const b = await sse('/tools/wb/stderr/stream');
    expect([a.status, b.status]).toEqual([200, 200]);
    const started = Date.now();
    await t.app.close();
    await Promise.all([a.ended, b.ended]);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
