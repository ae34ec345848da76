import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, type GatewayTestApp, WELL_BEHAVED } from '../../test/helpers/gateway-app.js';

/**
 * An API key's allowlists bind it on the REST face as on /mcp: every route naming a server, every
 * list and status, the protocol log. A server it may not see answers as one that does not exist.
 */
let t: GatewayTestApp;
let none: { authorization: string };
let wbOnly: { authorization: string };
let wbId: string;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED]);
  await t.addServer('other', [WELL_BEHAVED]);
  wbId = (await t.call('GET', '/tools/wb')).json().id as string;
  // Traffic of both servers in the protocol log.
  for (const s of ['wb', 'other']) expect((await t.call('POST', `/tools/${s}/call`, { tool: 'echo', arguments: { message: s } })).statusCode).toBe(200);
  await t.ctx.servers.recorder.flush();
  const bearer = (k: { key: string }) => ({ authorization: `Bearer ${k.key}` });
  none = bearer(await t.key('none', { allowed_servers: ['nothing-here'] }));
  wbOnly = bearer(await t.key('wb-only', { allowed_servers: ['w?'], allowed_tools: ['wb__echo', 'wb__whoami'] }));
}, 120_000);
afterAll(async () => t.closeAndCheck());

const named = (res: { json(): any }) => (res.json().items as { name: string }[]).map((i) => i.name);

describe('a server outside the key\'s allowlist is 404 on every route that names it', () => {
  const faces: [string, string, unknown?][] = [
    ['GET', ''],
    ['GET', '/status'],
    ['GET', '/capabilities'],
    ['GET', '/metrics'],
    ['GET', '/stderr'],
    ['GET', '/publish'],
    ['POST', '/call', { tool: 'echo', arguments: { message: 'x' } }],
    ['POST', '/read-resource', { uri: 'fixture://hello' }],
    ['POST', '/get-prompt', { name: 'greet', arguments: { who: 'Ann' } }],
    ['POST', '/restart'],
    ['POST', '/stop'],
    ['POST', '/start'],
  ];

  it.each(faces)('%s /tools/{server}%s: refused with the answer of a missing server, by name and by id', async (method, suffix, body) => {
    for (const key of ['wb', wbId]) {
      const res = await t.call(method as 'GET', `/tools/${key}${suffix}`, body, none);
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().detail).toBe(`MCP server '${key}' not found`);
    }
    // The same key may not see `other` either, and `wb-only` may not see `other`.
    expect((await t.call(method as 'GET', `/tools/other${suffix}`, body, wbOnly)).statusCode).toBe(404);
  });

  it('left the servers running (nothing was done for the refused key)', async () => {
    expect((await t.status('wb')).state).toBe('running');
    expect((await t.status('other')).state).toBe('running');
  });
});

describe('an allowed server works for the key, within its tool allowlist', () => {
  it('reads, calls an allowed tool, reads a resource, gets a prompt, restarts', async () => {
    expect((await t.call('GET', '/tools/wb/status', undefined, wbOnly)).statusCode).toBe(200);
    const call = await t.call('POST', '/tools/wb/call', { tool: 'echo', arguments: { message: 'hi' } }, wbOnly);
    expect(call.statusCode, call.body).toBe(200);
    expect(JSON.stringify(call.json())).toContain('hi');
    const denied = await t.call('POST', '/tools/wb/call', { tool: 'add', arguments: { a: 1, b: 2 } }, wbOnly);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toBe("tool 'add' of MCP server 'wb' is not allowed for this API key");
    expect((await t.call('POST', '/tools/wb/read-resource', { uri: 'fixture://hello' }, wbOnly)).statusCode).toBe(200);
    expect((await t.call('POST', '/tools/wb/get-prompt', { name: 'greet', arguments: { who: 'Ann' } }, wbOnly)).statusCode).toBe(200);
    const restarted = await t.call('POST', `/tools/${wbId}/restart`, undefined, wbOnly);
    expect(restarted.statusCode, restarted.body).toBe(200);
    t.pids.add(restarted.json().pid);
  });
});

describe('lists, status and logs show only what the key may see', () => {
  it('GET /tools, /system/status and /system/metrics', async () => {
    expect(named(await t.call('GET', '/tools', undefined, wbOnly))).toEqual(['wb']);
    const list = (await t.call('GET', '/tools', undefined, none)).json();
    expect(list).toMatchObject({ items: [], total: 0 });
    expect(named(await t.call('GET', '/tools'))).toEqual(['other', 'wb']);

    const status = (await t.call('GET', '/system/status', undefined, wbOnly)).json();
    expect(status.servers.items.map((s: { name: string }) => s.name)).toEqual(['wb']);
    expect(status.servers.total).toBe(1);
    expect((await t.call('GET', '/system/status', undefined, none)).json().servers.items).toEqual([]);
    const metrics = (await t.call('GET', '/system/metrics', undefined, none)).json();
    expect(Object.keys(metrics.servers)).toEqual([]);
  });

  it('the protocol log: rows and counts of visible servers only; system and operation logs and /metrics refused', async () => {
    await t.ctx.servers.recorder.flush();
    const servers = async (headers: { authorization: string }, query = '') => {
      const res = await t.call('GET', `/logs/mcp?limit=500${query}`, undefined, headers);
      expect(res.statusCode, res.body).toBe(200);
      return [...new Set((res.json().items as { server: string }[]).map((r) => r.server))].sort();
    };
    expect(await servers(t.admin)).toEqual(expect.arrayContaining(['other', 'wb']));
    expect(await servers(wbOnly)).toEqual(['wb']);
    expect(await servers(wbOnly, '&server=other')).toEqual([]);
    expect(await servers(none)).toEqual([]);
    expect(await servers(none, '&server=wb')).toEqual([]);
    const stats = (await t.call('GET', '/logs/stats', undefined, none)).json();
    expect(stats.totals.mcp).toBe(0);
    expect((await t.call('GET', '/logs/stats')).json().totals.mcp).toBeGreaterThan(0);

    for (const url of ['/logs/system', '/logs/operations']) {
      const res = await t.call('GET', url, undefined, none);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().detail).toContain('limited to some MCP servers');
    }
    const prom = await t.app.inject({ url: '/metrics', headers: none });
    expect(prom.statusCode).toBe(403);
  });

  it('gateway sessions on a server endpoint are listed only to keys that see the server', async () => {
    await t.connect((await t.key('any')).key, '/mcp/other');
    const endpoints = async (headers: { authorization: string }) =>
      ((await t.call('GET', '/gateway/sessions', undefined, headers)).json().items as { endpoint: string }[]).map((x) => x.endpoint);
    expect(await endpoints(t.admin)).toContain('/mcp/other');
    expect(await endpoints(wbOnly)).not.toContain('/mcp/other');
  });

  it('the gateway catalogue lists only tools the key may call', async () => {
    const tools = (await t.call('GET', '/gateway/tools', undefined, wbOnly)).json().items as { name: string }[];
    expect(tools.map((x) => x.name).sort()).toEqual(['wb__echo', 'wb__whoami']);
    expect((await t.call('GET', '/gateway/tools', undefined, none)).json().items).toEqual([]);
  });
});

describe('an admin key limited to some servers', () => {
  it('cannot change, delete, create, import or export servers outside its allowlist', async () => {
    const admin = { authorization: `Bearer ${(await t.key('admin-wb', { allowed_servers: ['wb'], role: 'admin' })).key}` };
    expect((await t.call('PUT', '/tools/other', { description: 'x' }, admin)).statusCode).toBe(404);
    expect((await t.call('DELETE', '/tools/other', undefined, admin)).statusCode).toBe(404);
    expect((await t.call('PUT', '/tools/wb', { name: 'renamed' }, admin)).statusCode).toBe(403);
    expect((await t.call('POST', '/tools', { name: 'wb2', command: process.execPath, args: [WELL_BEHAVED] }, admin)).statusCode).toBe(403);
    expect((await t.call('GET', '/tools/export', undefined, admin)).statusCode).toBe(403);
    expect((await t.call('POST', '/tools/import', { mcpServers: {} }, admin)).statusCode).toBe(403);
    expect((await t.call('PUT', '/tools/wb', { description: 'allowed' }, admin)).statusCode).toBe(200);
    // A tool of a server outside the list cannot be approved either: as if it had no pin.
    const approve = await t.call('POST', '/gateway/tools/other__echo/approve', {}, admin);
    expect(approve.statusCode, approve.body).toBe(404);
    expect((await t.call('POST', '/gateway/tools/other__echo/approve', {})).statusCode).not.toBe(404);
    expect(named(await t.call('GET', '/tools'))).toEqual(['other', 'wb']);
  });
});
