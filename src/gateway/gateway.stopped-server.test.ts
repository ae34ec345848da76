import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import { createServersRepository } from '../servers/servers.repository.js';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** A stopped server answers `initialize` on /mcp/{server} alike, whether or not REST has touched it. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayTestApp();
}, 60_000);
afterAll(async () => t.closeAndCheck(), 60_000);

const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } });

const discover = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'server/discover',
  params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'curl', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } },
});

const initialize = async (key: string, server: string, body = init) => {
  const res = await fetch(`${t.base}/mcp/${server}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}` },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};

describe('a stopped server on /mcp/{server}', () => {
  it('answers initialize the same before and after a REST read (every stored server is registered at boot)', async () => {
    // Stored before this process started (as by another instance or a restore): nothing in this process has read it.
    const at = nowIso();
    await createServersRepository(t.ctx.db).insert({
      id: newId(), name: 'dormant', description: null, transport: 'stdio', command: process.execPath, args: JSON.stringify([WELL_BEHAVED]),
      env: '{}', cwd: null, url: null, headers: '{}', enabled: 1, auto_start: 0, restart_policy: 'never', max_retries: 0, timeout_ms: 15_000,
      tags: '[]', desired_state: 'stopped', created_at: at, updated_at: at,
    });
    await t.ctx.servers.boot();
    const { key } = await t.key('stopped-reader');

    const before = await initialize(key, 'dormant');
    expect((await t.call('GET', '/tools/dormant')).statusCode).toBe(200);
    const after = await initialize(key, 'dormant');
    expect(before).toEqual(after);
    expect(before.status).toBe(502);
    expect(before.body).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32603 } });
    expect(String((before.body['error'] as { message: string }).message)).toMatch(/dormant.*stopped/);
    // The stateless revision's probe gets the same answer (not the SDK's 500).
    expect(await initialize(key, 'dormant', discover)).toEqual(before);

    // A server that does not exist is still 404 problem+json.
    const missing = await initialize(key, 'no-such-server');
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
  });
});
