import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, sessionIdOf, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** The gateway's own rows in the protocol log: direction as the table defines it, and a name no server can take. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('wb', [WELL_BEHAVED]);
}, 60_000);
afterAll(async () => t.closeAndCheck(), 60_000);

describe('gateway rows in the protocol log', () => {
  it('records a tools/call through /mcp as the table defines direction: out towards the server named, in from it', async () => {
    const { key } = await t.key('direction');
    const client = await t.connect(key);
    await client.callTool({ name: 'wb__echo', arguments: { message: 'which way' } });
    const sid = sessionIdOf(client);
    const rows = async (server: string) =>
      (await t.mcpLog(server, '&method=tools/call')).filter((r) => String(r['payload']).includes('which way')).map((r) => ({ direction: r['direction'], request: String(r['payload']).includes('"method"'), session: r['session_id'] }));
    const expected = [
      { direction: 'out', request: true, session: sid },
      { direction: 'in', request: false, session: sid },
    ];
    // The client's request to the gateway reads like the gateway's request to the server.
    expect((await rows('gateway')).sort((a, b) => Number(b.request) - Number(a.request))).toEqual(expected);
    expect((await rows('wb')).sort((a, b) => Number(b.request) - Number(a.request))).toEqual(expected);
  });

  it.each(['gateway', 'mcps'])('refuses %s as a server name (create, rename, import)', async (name) => {
    const body = { name, command: process.execPath, args: [WELL_BEHAVED] };
    const created = await t.call('POST', '/tools', body);
    expect(created.statusCode, created.body).toBe(400);
    expect(created.json().detail).toContain(`"${name}" is reserved (reserved names: import, export, gateway, mcps)`);

    const renamed = await t.call('PUT', '/tools/wb', { name });
    expect(renamed.statusCode, renamed.body).toBe(400);
    expect(renamed.json().detail).toContain('reserved names');

    const imported = await t.call('POST', '/tools/import', { mcpServers: { [name]: { command: process.execPath, args: [WELL_BEHAVED] } } });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ created: [], updated: [], skipped: [{ name, reason: expect.stringContaining('reserved') }] });
    expect((await t.call('GET', `/tools/${name}`)).statusCode).toBe(404);
  });
});
