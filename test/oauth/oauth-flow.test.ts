import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { createServersTestApp, type ServersTestApp } from '../helpers/servers-app.js';
import { FormBrowser, TestOAuthClient } from './oauth-client.js';

/**
 * The MCP authorization flow against the gateway, driven by the MCP SDK's own client OAuth support:
 * discovery (401 -> Protected Resource Metadata -> Authorization Server Metadata), Dynamic Client
 * Registration, PKCE, the platform's sign-in and consent pages (posted as a browser posts the forms),
 * the token, calls as the user, refresh with rotation and reuse detection.
 */

let t: ServersTestApp;
let base: string;
const REDIRECT = 'http://127.0.0.1:1/callback';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createServersTestApp({ MCPS_PUBLIC_URL: base });
  await t.app.listen({ host: '127.0.0.1', port });
  const created = await t.call('POST', '/tools', { name: 'wb', command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never', timeout_ms: 60_000 });
  expect(created.statusCode, created.body).toBe(201);
  const started = await t.call('POST', '/tools/wb/start');
  expect(started.statusCode, started.body).toBe(200);
  t.pids.add(started.json().pid);
}, 120_000);
afterAll(async () => t?.closeAndCheck(), 60_000);

/** Signs in and approves in the "browser"; returns the client's callback URL. */
async function signInAndApprove(authorizationUrl: URL, username = 'admin', password = ADMIN_PASSWORD): Promise<URL> {
  const browser = new FormBrowser();
  const login = await browser.follow(await browser.get(authorizationUrl), base);
  if (!('page' in login)) throw new Error('expected the sign-in page');
  const loginHtml = await login.page.text();
  expect(loginHtml).toContain('Test MCP client');
  expect(login.page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  const consent = await browser.follow(await browser.post(`${login.url}/login`, { username, password }), base);
  if (!('page' in consent)) throw new Error('expected the consent page');
  const consentHtml = await consent.page.text();
  expect(consentHtml).toContain('Test MCP client');
  expect(consentHtml).toContain(username);
  expect(consentHtml).toContain('<code>mcp</code>');
  const done = await browser.follow(await browser.post(`${consent.url}/confirm`, {}), base);
  if (!('callback' in done)) throw new Error(`expected the redirect to the client, got ${done.page.status}: ${await done.page.text()}`);
  return done.callback;
}

async function connect(oauth: TestOAuthClient, path = '/mcp'): Promise<Client> {
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}${path}`), { authProvider: oauth }));
  return client;
}

describe('OAuth 2.1 on /mcp', () => {
  it('answers 401 with the resource metadata URL, and serves the metadata documents', async () => {
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="mcps", resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`);
    const prm = await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp/wb`)).json();
    expect(prm).toMatchObject({ resource: `${base}/mcp/wb`, authorization_servers: [`${base}/oauth`], scopes_supported: ['mcp', 'mcp:admin'] });
    const as = await (await fetch(`${base}/.well-known/oauth-authorization-server/oauth`)).json();
    expect(as).toMatchObject({ issuer: `${base}/oauth`, code_challenge_methods_supported: ['S256'], registration_endpoint: `${base}/oauth/reg` });
  });

  it('runs the whole flow with the SDK client: discovery, registration, PKCE, consent, token, calls, refresh', async () => {
    const oauth = new TestOAuthClient(REDIRECT);
    const first = new Client({ name: 'oauth-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: oauth });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(oauth.info?.client_id).toBeTruthy();
    expect(oauth.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(oauth.authorizationUrl?.searchParams.get('resource')).toBe(`${base}/mcp`);

    const callback = await signInAndApprove(oauth.authorizationUrl!);
    expect(callback.searchParams.get('iss')).toBe(`${base}/oauth`);
    await transport.finishAuth(callback.searchParams);
    expect(oauth.saved?.access_token).toBeTruthy();
    expect(oauth.saved?.refresh_token).toBeTruthy();

    const client = await connect(oauth);
    const tools = (await client.listTools()).tools.map((x) => x.name);
    expect(tools).toContain('wb__add');
    const r = await client.callTool({ name: 'wb__add', arguments: { a: 1, b: 2 } });
    expect(r.structuredContent).toEqual({ sum: 3 });
    await client.close();

    // The protocol log names the user and the client.
    await waitFor(async () => {
      const logs = await t.call('GET', '/logs/mcp?server=wb&method=tools%2Fcall&limit=50');
      return logs.statusCode === 200 && logs.body.includes('"caller":"user:admin oauth:Test MCP client"');
    }, 10_000, 'the tools/call row naming the user and the OAuth client');

    // Refresh: a stale access token makes the SDK refresh; the refresh token rotates; the old one, replayed, is refused.
    const oldRefresh = oauth.saved!.refresh_token!;
    oauth.saved = { ...oauth.saved!, access_token: 'stale-token-value-that-is-not-valid' };
    const again = await connect(oauth);
    expect((await again.listTools()).tools.length).toBeGreaterThan(0);
    await again.close();
    expect(oauth.saved!.refresh_token).not.toBe(oldRefresh);
    const reuse = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oldRefresh, client_id: oauth.info!.client_id }).toString(),
    });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
    // Reuse revoked the whole grant: the rotated refresh token is dead too.
    const rotated = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oauth.saved!.refresh_token!, client_id: oauth.info!.client_id }).toString(),
    });
    expect(((await rotated.json()) as { error: string }).error).toBe('invalid_grant');
  }, 60_000);
});
