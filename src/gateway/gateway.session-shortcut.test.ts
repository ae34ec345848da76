import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, sessionIdOf, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { shortcutServed } from './transport/session-post-shortcut.js';

/**
 * A session's POST on /mcp/{server} served outside Fastify's pipeline (session-post-shortcut.ts):
 * the same answer as the generic path, and every refusal still the generic path's.
 */

let t: GatewayTestApp;
let key: string;
let session: Record<string, string>;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED]);
  ({ key } = await t.key('shortcut'));
  const client = await t.connect(key, '/mcp/wb');
  session = { authorization: `Bearer ${key}`, 'mcp-session-id': sessionIdOf(client), 'mcp-protocol-version': '2025-06-18' };
}, 120_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${t.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body });
const call = (id: number, message = 'hi') => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message } } });
/** Status, headers (but the date and the request id) and body. */
const answer = async (res: Response) => ({ status: res.status, headers: [...res.headers].filter(([k]) => k !== 'date' && k !== 'x-request-id'), body: await res.text() });

describe('the session POST shortcut', () => {
  it('answers as the generic path does: status, headers, body, JSON-RPC errors, request id and HTTP stats', async () => {
    const before = shortcutServed(t.app);
    const requests0 = t.ctx.system.http.total();
    // A query string is not taken by the shortcut: the same request through Fastify's pipeline.
    for (const body of [call(7), '{bad', JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }])]) {
      const fast = await answer(await post('/mcp/wb', body, session));
      const generic = await answer(await post('/mcp/wb?via=generic', body, session));
      expect(fast).toEqual(generic);
    }
    expect(shortcutServed(t.app) - before).toBe(3);
    const ok = await post('/mcp/wb', call(8, 'traced'), { ...session, 'x-request-id': 'trace-123' });
    expect(ok.headers.get('x-request-id')).toBe('trace-123');
    expect(await ok.json()).toMatchObject({ id: 8, result: { content: [{ type: 'text', text: 'traced' }] } });
    expect((await post('/mcp/wb', call(9), session)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(shortcutServed(t.app) - before).toBe(5);
    expect(t.ctx.system.http.total() - requests0).toBe(8);
  });

  it('leaves every refusal to the generic path, and keeps serving the session after them', async () => {
    const before = shortcutServed(t.app);
    const other = await t.key('other');
    const refusals: [Record<string, string>, number][] = [
      [{ ...session, authorization: `Bearer ${other.key}` }, 404], // another key's session
      [{ ...session, authorization: 'Bearer mcps_not-a-key' }, 401],
      [{ ...session, authorization: 'Basic abc' }, 401],
      [{ ...session, origin: 'https://evil.example' }, 403],
      [{ ...session, 'content-type': 'text/plain' }, 415],
      [{ ...session, 'mcp-session-id': 'no-such-session' }, 404],
    ];
    for (const [headers, status] of refusals) {
      const res = await post('/mcp/wb', call(1), headers);
      expect(res.status, JSON.stringify(headers)).toBe(status);
      await res.arrayBuffer();
    }
    const unauthorized = await post('/mcp/wb', call(1), { ...session, authorization: 'Bearer mcps_not-a-key' });
    expect(unauthorized.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcps", error="invalid_token"/);
    const big = await post('/mcp/wb', call(1, 'x'.repeat(t.config.bodyLimit)), session);
    expect(big.status).toBe(413);
    expect(shortcutServed(t.app)).toBe(before);
    expect(await (await post('/mcp/wb', call(2, 'still'), session)).json()).toMatchObject({ result: { content: [{ text: 'still' }] } });
    expect(shortcutServed(t.app)).toBe(before + 1);
  });

  it('a key revoked mid-session is refused on its next request (401, by the generic path)', async () => {
    const revoked = await t.key('to-revoke');
    const client = await t.connect(revoked.key, '/mcp/wb');
    const headers = { ...session, authorization: `Bearer ${revoked.key}`, 'mcp-session-id': sessionIdOf(client) };
    expect((await post('/mcp/wb', call(1), headers)).status).toBe(200);
    const del = await t.call('DELETE', `/auth/api-keys/${revoked.id}`);
    expect(del.statusCode, del.body).toBeLessThan(300);
    const res = await post('/mcp/wb', call(2), headers);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).toMatch(/revoked/i);
  });
});
