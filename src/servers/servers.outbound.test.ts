import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from './test-support.js';

/**
 * SSRF: a remote MCP server's URL is reached through the outbound guard. With MCPS_OUTBOUND_ALLOW
 * empty (the default) a loopback URL is refused before any request; listed, it is used.
 */
let upstream: Server;
let port: number;
let requests = 0;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    requests++;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = (upstream.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

async function tryRemote(t: TestApp, url: string): Promise<{ state: string; last_error: string | null }> {
  const headers = await t.login();
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/tools', headers, payload: { name: 'remote', transport: 'streamable-http', url, restart_policy: 'never' } });
  expect(created.statusCode, created.body).toBe(201);
  await t.app.inject({ method: 'POST', url: '/api/v1/tools/remote/start', headers });
  let status = { state: '', last_error: null as string | null };
  await waitFor(async () => {
    status = (await t.app.inject({ method: 'GET', url: '/api/v1/tools/remote/status', headers })).json();
    return ['fatal', 'stopped', 'backoff'].includes(status.state);
  }, 20_000, 'the start to fail');
  return status;
}

describe('remote MCP servers and the outbound guard', () => {
  it('refuses a loopback URL by default, says how to allow it, and sends nothing', async () => {
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '' });
    try {
      for (const url of [`http://127.0.0.1:${port}/mcp`, `http://localhost:${port}/mcp`, 'http://169.254.169.254/mcp']) {
        requests = 0;
        const status = await tryRemote(t, url);
        expect(status.last_error).toMatch(/refused: .*(private, loopback or reserved|metadata).*MCPS_OUTBOUND_ALLOW/);
        expect(requests).toBe(0);
        await t.app.inject({ method: 'DELETE', url: '/api/v1/tools/remote', headers: await t.login() });
      }
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('uses a loopback URL listed in MCPS_OUTBOUND_ALLOW', async () => {
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '127.0.0.1' });
    try {
      requests = 0;
      const status = await tryRemote(t, `http://127.0.0.1:${port}/mcp`);
      // The fake upstream answers 404: the connection was made, the MCP handshake failed.
      expect(requests).toBeGreaterThan(0);
      expect(status.last_error).not.toMatch(/refused/);
    } finally {
      await t.close();
    }
  });

  it('refuses a malformed MCPS_OUTBOUND_ALLOW at start with one line naming it', async () => {
    await expect(createTestApp({ MCPS_OUTBOUND_ALLOW: '10.0.0.0/abc' })).rejects.toThrow(/MCPS_OUTBOUND_ALLOW/);
  });
});
