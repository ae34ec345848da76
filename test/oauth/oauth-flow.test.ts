import { createHash, randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, cheapPasswordHash } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { createServersTestApp, type ServersTestApp } from '../helpers/servers-app.js';
import { approveInBrowser, TestOAuthClient } from './oauth-client.js';

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
const signInAndApprove = (authorizationUrl: URL, username = 'admin', password = ADMIN_PASSWORD) => approveInBrowser(base, authorizationUrl, username, password);

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
    // RFC 9207: the authorization response names its issuer, so a client talking to two cannot mix them up.
    expect(as).toMatchObject({ issuer: `${base}/oauth`, code_challenge_methods_supported: ['S256'], registration_endpoint: `${base}/oauth/reg`, authorization_response_iss_parameter_supported: true });
    // The endpoints a client calls directly are in the OpenAPI document (so the security suite reaches them), public.
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-permission'?: string }>> };
    for (const [path, method] of [['/.well-known/oauth-authorization-server/oauth', 'get'], ['/oauth/jwks', 'get'], ['/oauth/token', 'post'], ['/oauth/reg', 'post'], ['/oauth/token/revocation', 'post']] as const)
      expect(doc.paths[path]?.[method]?.['x-permission'], `${method} ${path}`).toBe('public');
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

const form = (url: string, body: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
const mcpPost = (path: string, token: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }),
  });
const b64url = (b: Buffer) => b.toString('base64url');
const unsignedJwt = (claims: Record<string, unknown>) => `${b64url(Buffer.from('{"alg":"none","typ":"JWT"}'))}.${b64url(Buffer.from(JSON.stringify(claims)))}.`;

async function register(): Promise<string> {
  const res = await fetch(`${base}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Test MCP client', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

function authorizeUrl(clientId: string, verifier: string, over: Record<string, string> = {}): URL {
  const url = new URL(`${base}/oauth/auth`);
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const params = { client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'mcp', code_challenge: challenge, code_challenge_method: 'S256', resource: `${base}/mcp`, state: 'xyz', ...over };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

const operations = async (action: string) => {
  const res = await t.call('GET', `/logs/operations?action=${encodeURIComponent(action)}&outcome=failure&limit=100`);
  return (res.json() as { items: { details: string | null }[] }).items;
};

describe('OAuth refusals', () => {
  it('revokes; refuses a replayed code, a wrong PKCE verifier, a foreign redirect_uri and a metadata document on a private address, each audited', async () => {
    const clientId = await register();
    const verifier = b64url(randomBytes(32));
    const code = (await signInAndApprove(authorizeUrl(clientId, verifier))).searchParams.get('code')!;
    const exchange = (c: string, v: string) => form(`${base}/oauth/token`, { grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT, client_id: clientId, code_verifier: v, resource: `${base}/mcp` });

    const wrongVerifier = await exchange(code, b64url(randomBytes(32)));
    expect(wrongVerifier.status).toBe(400);
    expect(((await wrongVerifier.json()) as { error: string }).error).toBe('invalid_grant');

    const code2 = (await signInAndApprove(authorizeUrl(clientId, verifier))).searchParams.get('code')!;
    const ok = await exchange(code2, verifier);
    expect(ok.status).toBe(200);
    const { access_token } = (await ok.json()) as { access_token: string };
    expect((await mcpPost('/mcp', access_token)).status).toBe(200);
    // Never wider than its user: a viewer's token (even asking for mcp:admin) cannot use the gateway (operator).
    const viewer = await t.ctx.users.create({ username: 'vera', password: 'vera-password-long', role: 'viewer' });
    await t.ctx.db.updateTable('users').set({ password_hash: cheapPasswordHash('vera-password-long') }).where('id', '=', viewer.id).execute();
    const vcode = (await signInAndApprove(authorizeUrl(clientId, verifier, { scope: 'mcp mcp:admin' }), 'vera', 'vera-password-long')).searchParams.get('code')!;
    const vtoken = ((await (await exchange(vcode, verifier)).json()) as { access_token: string }).access_token;
    expect((await mcpPost('/mcp', vtoken)).status).toBe(403);

    // Revocation (RFC 7009): a revoked access token is refused at once.
    const code3 = (await signInAndApprove(authorizeUrl(clientId, verifier))).searchParams.get('code')!;
    const revocable = ((await (await exchange(code3, verifier)).json()) as { access_token: string }).access_token;
    expect((await mcpPost('/mcp', revocable)).status).toBe(200);
    // A gateway token is no API credential.
    expect((await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${revocable}` } })).status).toBe(401);
    expect((await form(`${base}/oauth/token/revocation`, { token: revocable, client_id: clientId })).status).toBe(200);
    expect((await mcpPost('/mcp', revocable)).status).toBe(401);

    const replay = await exchange(code2, verifier);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    // The replay revoked what the code had issued.
    expect((await mcpPost('/mcp', access_token)).status).toBe(401);

    // A redirect_uri the client did not register: an error page on the platform, never a redirect.
    const foreign = await fetch(authorizeUrl(clientId, verifier, { redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' });
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('location')).toBeNull();
    expect(await foreign.text()).toContain('redirect_uri');

    // A Client ID Metadata Document on a private address: the outbound guard refuses the fetch.
    const cimd = await fetch(authorizeUrl('https://10.1.2.3/client.json', verifier), { redirect: 'manual' });
    expect(cimd.status).toBe(400);
    expect(cimd.headers.get('location')).toBeNull();
    expect(await cimd.text()).toContain('invalid_client');

    await waitFor(async () => (await operations('oauth.grant')).length >= 2, 5000, 'grant refusals audited');
    await waitFor(async () => (await operations('oauth.authorization')).length >= 2, 5000, 'authorization refusals audited');
  }, 60_000);

  it('refuses alg=none, a foreign issuer, a token for another resource and an expired one on /mcp, audited; API keys keep working', async () => {
    const none = await mcpPost('/mcp', unsignedJwt({ iss: `${base}/oauth`, aud: `${base}/mcp`, sub: 'x', exp: Math.floor(Date.now() / 1000) + 600 }));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const key = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ scope: 'mcp' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://evil.example').setAudience(`${base}/mcp`).setSubject('x').setExpirationTime('5m').sign(key.privateKey);
    expect((await mcpPost('/mcp', foreign)).status).toBe(401);

    // A token for /mcp/wb works there (that server only) and nowhere else.
    const oauth = new TestOAuthClient(REDIRECT);
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp/wb`), { authProvider: oauth });
    await expect(new Client({ name: 'x', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(oauth.authorizationUrl!.searchParams.get('resource')).toBe(`${base}/mcp/wb`);
    await transport.finishAuth((await signInAndApprove(oauth.authorizationUrl!)).searchParams);
    const wbClient = await connect(oauth, '/mcp/wb');
    expect((await wbClient.listTools()).tools.map((x) => x.name)).toContain('add');
    await wbClient.close();
    const wrongAudience = await mcpPost('/mcp', oauth.saved!.access_token);
    expect(wrongAudience.status).toBe(401);
    expect(((await wrongAudience.json()) as { detail: string }).detail).toMatch(/another resource/);

    // Expired: the stored token's lifetime is over.
    await t.ctx.db.updateTable('oauth_store').set({ expires_at: Date.now() - 1000 }).where('model', '=', 'AccessToken').execute();
    expect((await mcpPost('/mcp/wb', oauth.saved!.access_token)).status).toBe(401);

    const refused = await operations('oauth.token_refused');
    expect(refused.length).toBeGreaterThanOrEqual(4);

    // API keys beside OAuth, and the platform keeps serving.
    const created = await t.call('POST', '/gateway/api-keys', { name: 'beside-oauth', role: 'operator' });
    expect(created.statusCode, created.body).toBe(201);
    expect((await mcpPost('/mcp', created.json().key as string)).status).toBe(200);
  }, 60_000);
});
