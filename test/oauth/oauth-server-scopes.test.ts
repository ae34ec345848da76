import { createHash, randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, cheapPasswordHash } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { createServersTestApp, type ServersTestApp } from '../helpers/servers-app.js';
import { waitFor } from '../helpers/wait-for.js';
import { approveInBrowser, FormBrowser } from './oauth-client.js';

/**
 * Server scopes (`mcp:server:<name>`): a token narrowed to some servers, as an API key's server
 * allowlist narrows a key; never wider than its user; refused where its resource is another server.
 */

let t: ServersTestApp;
let base: string;
let clientId: string;
const REDIRECT = 'http://127.0.0.1:1/callback';
const b64url = (b: Buffer) => b.toString('base64url');
const VERIFIER = b64url(randomBytes(32));

const form = (url: string, body: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createServersTestApp({ MCPS_PUBLIC_URL: base });
  await t.app.listen({ host: '127.0.0.1', port });
  for (const name of ['wa', 'wb']) {
    const created = await t.call('POST', '/tools', { name, command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never', timeout_ms: 60_000 });
    expect(created.statusCode, created.body).toBe(201);
    const started = await t.call('POST', `/tools/${name}/start`);
    expect(started.statusCode, started.body).toBe(200);
    t.pids.add(started.json().pid);
  }
  const reg = await fetch(`${base}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Test MCP client', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }),
  });
  expect(reg.status).toBe(201);
  clientId = ((await reg.json()) as { client_id: string }).client_id;
}, 120_000);
afterAll(async () => t?.closeAndCheck(), 60_000);

function authorizeUrl(scope: string, resource = `${base}/mcp`): URL {
  const url = new URL(`${base}/oauth/auth`);
  const params = { client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope, code_challenge: b64url(createHash('sha256').update(VERIFIER).digest()), code_challenge_method: 'S256', resource, state: 'xyz' };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** The tokens for a code the callback carries. */
async function exchange(callback: URL, resource = `${base}/mcp`): Promise<{ access_token: string; refresh_token?: string; scope: string }> {
  const res = await form(`${base}/oauth/token`, { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: clientId, code_verifier: VERIFIER, resource });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token?: string; scope: string };
}

/** Signs in as admin, approves `scope` for `resource` (checking the consent page) and returns the tokens. */
async function tokenFor(scope: string, resource = `${base}/mcp`, checkConsent?: (html: string) => void) {
  const callback = await approveInBrowser(base, authorizeUrl(scope, resource), 'admin', ADMIN_PASSWORD, checkConsent ?? ((html) => expect(html).toContain(`<code>${scope.split(' ')[0]}</code>`)));
  return exchange(callback, resource);
}

async function connect(token: string, path = '/mcp'): Promise<Client> {
  const client = new Client({ name: 'scopes-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}${path}`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

const initialize = (path: string, token: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }),
  });

const failures = async (action: string) => {
  const res = await t.call('GET', `/logs/operations?action=${encodeURIComponent(action)}&outcome=failure&limit=100`);
  return (res.json() as { items: { target_id: string | null; details: unknown }[] }).items;
};

describe('server scopes (mcp:server:<name>)', () => {
  it('narrow a token for /mcp to the servers named: tools, prompts, resources and calls, as a server allowlist does', async () => {
    const { access_token, scope } = await tokenFor('mcp mcp:server:wa', `${base}/mcp`, (html) => {
      expect(html).toContain('<code>mcp:server:wa</code>: only the MCP server wa');
      expect(html).toContain('limited to the MCP server <strong>wa</strong>');
    });
    expect(scope.split(' ').sort()).toEqual(['mcp', 'mcp:server:wa']);
    const client = await connect(access_token);
    const tools = (await client.listTools()).tools.map((x) => x.name);
    expect(tools).toContain('wa__add');
    expect(tools.filter((n) => !n.startsWith('wa__'))).toEqual([]);
    expect((await client.callTool({ name: 'wa__add', arguments: { a: 2, b: 3 } })).structuredContent).toEqual({ sum: 5 });
    await expect(client.callTool({ name: 'wb__add', arguments: { a: 2, b: 3 } })).rejects.toThrow();
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['wa__greet']);
    expect((await client.listResources()).resources.map((r) => r.uri).every((u) => u.startsWith('mcps://wa/'))).toBe(true);
    await expect(client.readResource({ uri: 'mcps://wb/fixture://hello' })).rejects.toThrow();
    await client.close();
    // A token for /mcp stays refused on /mcp/wb (another resource).
    expect((await initialize('/mcp/wb', access_token)).status).toBe(401);
  }, 60_000);

  it('alone imply mcp (operator at most), and several name several servers', async () => {
    const { access_token } = await tokenFor('mcp:server:wa mcp:server:wb');
    const client = await connect(access_token);
    const tools = (await client.listTools()).tools.map((x) => x.name);
    expect(tools).toEqual(expect.arrayContaining(['wa__add', 'wb__add']));
    expect(tools.some((n) => n.startsWith('mcps__'))).toBe(false);
    await client.close();
    // The role still comes from mcp / mcp:admin: the administrator's token for the log service alone acts as operator.
    const denied = async (scope: string) => {
      const logService = await connect((await tokenFor(scope)).access_token);
      expect((await logService.listTools()).tools.every((x) => x.name.startsWith('mcps__'))).toBe(true);
      const r = (await logService.callTool({ name: 'mcps__get_secret', arguments: { name: 'NO_SUCH_SECRET', reason: 'scope test' } })) as { isError?: boolean; content: { text?: string }[] };
      await logService.close();
      expect(r.isError).toBe(true);
      return /^forbidden: .*secrets:reveal/.test(r.content[0]?.text ?? '');
    };
    expect(await denied('mcp:server:mcps')).toBe(true);
    expect(await denied('mcp:admin mcp:server:mcps')).toBe(false);
    const one = await tokenFor('mcp:server:wb', `${base}/mcp/wb`);
    const wb = await connect(one.access_token, '/mcp/wb');
    expect((await wb.listTools()).tools.map((x) => x.name)).toContain('add');
    await wb.close();
  }, 60_000);

  it('refuse a token for /mcp/{x} when x is not among its server scopes: 403 insufficient_scope, audited', async () => {
    const { access_token, scope } = await tokenFor('mcp mcp:server:wa', `${base}/mcp/wb`, (html) => expect(html).toContain('the token will be refused there'));
    expect(scope.split(' ')).toContain('mcp:server:wa');
    const res = await initialize('/mcp/wb', access_token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/limited to the MCP servers wa/);
    await waitFor(async () => (await failures('oauth.token_refused')).some((r) => r.target_id === `${base}/mcp/wb` && JSON.stringify(r.details).includes('insufficient_scope')), 5000, 'the refusal audited');
  }, 60_000);

  it('grant nothing the user may not use: a viewer stays refused, a server that does not exist lists nothing', async () => {
    const viewer = await t.ctx.users.create({ username: 'vera', password: 'vera-password-long', role: 'viewer' });
    await t.ctx.db.updateTable('users').set({ password_hash: cheapPasswordHash('vera-password-long') }).where('id', '=', viewer.id).execute();
    const callback = await approveInBrowser(base, authorizeUrl('mcp:admin mcp:server:wa'), 'vera', 'vera-password-long', (html) => expect(html).toContain('<code>mcp:server:wa</code>'));
    const { access_token } = await exchange(callback);
    expect((await initialize('/mcp', access_token)).status).toBe(403);

    const ghost = await tokenFor('mcp mcp:server:ghost');
    const client = await connect(ghost.access_token);
    expect((await client.listTools()).tools).toEqual([]);
    await expect(client.callTool({ name: 'wa__add', arguments: { a: 1, b: 1 } })).rejects.toThrow();
    await client.close();
  }, 60_000);

  it('refuse a malformed server scope with invalid_scope (before sign-in), audited', async () => {
    for (const bad of ['mcp mcp:server:', 'mcp mcp:server:Bad_Name', `mcp mcp:server:${'x'.repeat(33)}`]) {
      const res = await fetch(authorizeUrl(bad), { redirect: 'manual' });
      expect(res.status, bad).toBe(303);
      const location = new URL(res.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(REDIRECT);
      expect(location.searchParams.get('error'), bad).toBe('invalid_scope');
    }
    await waitFor(async () => (await failures('oauth.authorization')).filter((r) => JSON.stringify(r.details).includes('invalid_scope')).length >= 3, 5000, 'the refusals audited');
  }, 60_000);

  it('survive refresh: a refresh keeps them, and one asking to drop them all is refused', async () => {
    const { refresh_token } = await tokenFor('mcp mcp:server:wa offline_access');
    expect(refresh_token).toBeTruthy();
    const widen = await form(`${base}/oauth/token`, { grant_type: 'refresh_token', refresh_token: refresh_token!, client_id: clientId, scope: 'mcp' });
    expect(widen.status).toBe(400);
    expect(((await widen.json()) as { error: string }).error).toBe('invalid_scope');
    await waitFor(async () => (await failures('oauth.grant')).some((r) => JSON.stringify(r.details).includes('limited to MCP servers')), 5000, 'the refused refresh audited');
    // Refused before the refresh token is used up: it still works, and keeps the server scope.
    const kept = await form(`${base}/oauth/token`, { grant_type: 'refresh_token', refresh_token: refresh_token!, client_id: clientId });
    expect(kept.status).toBe(200);
    const renewed = (await kept.json()) as { access_token: string; scope: string };
    expect(renewed.scope.split(' ')).toContain('mcp:server:wa');
    const client = await connect(renewed.access_token);
    expect((await client.listTools()).tools.every((x) => x.name.startsWith('wa__'))).toBe(true);
    await client.close();
  }, 60_000);

  it('are not skipped by reusing the grant: a later request for plain mcp in the same browser asks for consent again', async () => {
    const browser = new FormBrowser();
    await approveInBrowser(base, authorizeUrl('mcp mcp:server:wa'), 'admin', ADMIN_PASSWORD, (html) => expect(html).toContain('mcp:server:wa'), browser);
    const again = await browser.follow(await browser.get(authorizeUrl('mcp')), base);
    if (!('page' in again)) throw new Error(`expected the consent page, got a redirect to the client: ${again.callback.href}`);
    const html = await again.page.text();
    expect(html).toContain('id="allow"');
    expect(html).toContain('It will reach every MCP server you may use.');
  }, 60_000);
});
