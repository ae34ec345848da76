import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * SSRF: a remote MCP server's URL is checked by the outbound guard when it is saved (create, update,
 * import) and again at each connection. With MCPS_OUTBOUND_ALLOW empty (the default) a loopback URL
 * is refused before any request; listed, it is used.
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

type Auth = { authorization: string };
const create = (t: TestApp, headers: Auth, url: string, name = 'remote') =>
  t.app.inject({ method: 'POST', url: '/api/v1/tools', headers, payload: { name, transport: 'streamable-http', url, restart_policy: 'never' } });

async function startFails(t: TestApp, headers: Auth): Promise<{ state: string; last_error: string | null }> {
  await t.app.inject({ method: 'POST', url: '/api/v1/tools/remote/start', headers });
  let status = { state: '', last_error: null as string | null };
  await waitFor(async () => {
    status = (await t.app.inject({ method: 'GET', url: '/api/v1/tools/remote/status', headers })).json();
    return ['fatal', 'stopped', 'backoff'].includes(status.state);
  }, 20_000, 'the start to fail');
  return status;
}

describe('remote MCP servers and the outbound guard', () => {
  it('refuses a refused address or resolved name when the server is created, says how to allow it, and stores nothing', async () => {
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '' });
    try {
      const headers = await t.login();
      // A literal address, a name that resolves to loopback, a metadata address.
      for (const url of [`http://127.0.0.1:${port}/mcp`, `http://localhost:${port}/mcp`, 'http://169.254.169.254/mcp']) {
        requests = 0;
        const res = await create(t, headers, url);
        expect(res.statusCode, url).toBe(422);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.json().detail).toMatch(/^url: outbound connection to .* refused: .*(private, loopback or reserved|metadata).*MCPS_OUTBOUND_ALLOW/);
        expect(res.json().errors).toEqual([{ field: 'url', message: expect.stringMatching(/MCPS_OUTBOUND_ALLOW/) }]);
        expect(requests).toBe(0);
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/tools', headers })).json().items).toEqual([]);
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('accepts a name that does not resolve yet, refuses an update to a refused URL, and keeps other updates possible', async () => {
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '' });
    try {
      const headers = await t.login();
      expect((await create(t, headers, 'https://not-yet.invalid/mcp')).statusCode).toBe(201);
      const patch = (payload: object) => t.app.inject({ method: 'PUT', url: '/api/v1/tools/remote', headers, payload });
      const refused = await patch({ url: `http://[::ffff:127.0.0.1]:${port}/mcp` });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().detail).toMatch(/MCPS_OUTBOUND_ALLOW/);
      expect((await patch({ description: 'still here' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/tools/remote', headers })).json()).toMatchObject({ url: 'https://not-yet.invalid/mcp', description: 'still here' });
    } finally {
      await t.close();
    }
  });

  it('lists a refused entry of an imported file under skipped, with the reason', async () => {
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '' });
    try {
      const headers = await t.login();
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tools/import',
        headers,
        payload: { mcpServers: { inside: { url: `http://10.0.0.1:${port}/mcp` }, outside: { url: 'https://not-yet.invalid/mcp' } } },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().created).toEqual([{ name: 'outside', source: 'outside' }]);
      expect(res.json().skipped).toEqual([{ name: 'inside', source: 'inside', reason: expect.stringMatching(/10\.0\.0\.1.*refused.*MCPS_OUTBOUND_ALLOW/) }]);
    } finally {
      await t.close();
    }
  });

  it('refuses a URL with CR, LF or other control characters when it is saved', async () => {
    const t = await createTestApp();
    try {
      const headers = await t.login();
      for (const url of [`http://127.0.0.1:${port}/mcp\r\nX-Injected: 1`, `http://loc\nalhost:${port}/mcp`, `http://127.0.0.1:${port}/\tmcp`]) {
        const res = await create(t, headers, url);
        expect(res.statusCode, JSON.stringify(url)).toBe(400);
        expect(res.json().detail).toMatch(/url: the URL contains control characters/);
      }
      expect((await create(t, headers, `http://127.0.0.1:${port}/mcp`)).statusCode).toBe(201);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/tools/import', headers, payload: { mcpServers: { crlf: { url: `http://127.0.0.1:${port}/\r\n` } } } });
      expect(res.json().skipped).toEqual([{ name: 'crlf', source: 'crlf', reason: expect.stringMatching(/control characters/) }]);
    } finally {
      await t.close();
    }
  });

  it('still refuses at start a URL stored before (a restored backup, a stricter policy), and sends nothing', async () => {
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '' });
    try {
      const headers = await t.login();
      expect((await create(t, headers, 'https://not-yet.invalid/mcp')).statusCode).toBe(201);
      await t.ctx.db.updateTable('servers').set({ url: `http://127.0.0.1:${port}/mcp` }).where('name', '=', 'remote').execute();
      requests = 0;
      const status = await startFails(t, headers);
      expect(status.last_error).toMatch(/refused: .*private, loopback or reserved.*MCPS_OUTBOUND_ALLOW/);
      expect(requests).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('uses a loopback URL listed in MCPS_OUTBOUND_ALLOW', async () => {
    const t = await createTestApp({ MCPS_OUTBOUND_ALLOW: '127.0.0.1' });
    try {
      const headers = await t.login();
      expect((await create(t, headers, `http://127.0.0.1:${port}/mcp`)).statusCode).toBe(201);
      requests = 0;
      const status = await startFails(t, headers);
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
