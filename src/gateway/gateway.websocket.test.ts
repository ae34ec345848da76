import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { startWsMcpServer, type WsMcpServer } from '../../test/helpers/ws-mcp-server.js';

/**
 * A server that only offers WebSocket, managed like the others: registered over REST with a
 * `${secret:...}` header, started, called through `/mcp/{server}`, recorded in the protocol log.
 */

let t: GatewayTestApp;
let remote: WsMcpServer;
beforeAll(async () => {
  t = await createGatewayTestApp();
  remote = await startWsMcpServer({ requireAuth: 'Bearer ws-secret-4d2c' });
}, 60_000);
afterAll(async () => {
  await t.closeAndCheck();
  await remote.close();
}, 60_000);

describe('websocket upstreams through the platform', () => {
  it('registers, starts, lists and calls through /mcp/{server}, with the secret header resolved and every message recorded', async () => {
    expect((await t.call('POST', '/secrets', { name: 'WS_TOKEN', value: 'ws-secret-4d2c' })).statusCode).toBe(201);
    const created = await t.call('POST', '/tools', {
      name: 'wsonly',
      transport: 'websocket',
      url: remote.url,
      headers: { Authorization: 'Bearer ${secret:WS_TOKEN}' },
      restart_policy: 'on-failure',
    });
    expect(created.statusCode, created.body).toBe(201);
    const started = await t.call('POST', '/tools/wsonly/start');
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ state: 'running', pid: null });

    const { key } = await t.key('ws-user');
    const client = await t.connect(key, '/mcp/wsonly');
    expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['echo', 'big', 'drop', 'whoami']);
    expect(await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } })).toMatchObject({
      content: [{ type: 'text', text: 'through the gateway' }],
    });
    expect(await client.callTool({ name: 'whoami' })).toMatchObject({ content: [{ text: 'Bearer ws-secret-4d2c' }] });

    const rows = await t.mcpLog('wsonly', '&method=tools/call');
    const echo = rows.filter((r) => String(r['payload']).includes('through the gateway'));
    expect(echo.map((r) => r['direction']).sort()).toEqual(['in', 'out']);
    // The secret value the server echoed is kept out of the log.
    expect(JSON.stringify(await t.mcpLog('wsonly'))).not.toContain('ws-secret-4d2c');
  });

  it('a server that drops the socket mid-call: the caller gets an error result, the server comes back', async () => {
    const { key } = await t.key('ws-drop');
    const client = await t.connect(key, '/mcp/wsonly');
    const dropped = await client.callTool({ name: 'drop' }).catch((e: unknown) => ({ thrown: String(e) }));
    expect(JSON.stringify(dropped)).toMatch(/closed the connection while tools\/call was pending/);
    await t.waitState('wsonly', 'running');
    expect((await t.status('wsonly')).restarts).toBeGreaterThanOrEqual(1);
    const again = await t.connect(key, '/mcp/wsonly');
    expect(await again.callTool({ name: 'echo', arguments: { message: 'back' } })).toMatchObject({ content: [{ text: 'back' }] });
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
