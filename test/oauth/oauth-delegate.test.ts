import { generateKeyPair, SignJWT } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDelegateTokens } from '../../src/auth/oauth/delegate-tokens.js';
import { freePort } from '../helpers/free-port.js';
import { createServersTestApp, type ServersTestApp } from '../helpers/servers-app.js';
import { startExternalIdp, type ExternalIdp } from './external-idp.js';

/** Delegate mode: tokens of an external authorization server (a second oidc-provider) accepted on /mcp. */

let t: ServersTestApp;
let idp: ExternalIdp;
let base: string;

const mcpPost = (path: string, token: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }),
  });

beforeAll(async () => {
  const [port, idpPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  idp = await startExternalIdp(idpPort, { preferred_username: 'alice', roles: ['mcp-ops', 'staff'] });
  t = await createServersTestApp({
    MCPS_PUBLIC_URL: base,
    MCPS_OAUTH_DELEGATE_ISSUER: idp.issuer,
    MCPS_OAUTH_DELEGATE_ROLE_MAP: 'mcp-ops=operator,mcp-admins=admin',
    MCPS_OAUTH_DELEGATE_CREATE_USERS: 'true',
  });
  await t.app.listen({ host: '127.0.0.1', port });
}, 120_000);
afterAll(async () => {
  await t?.closeAndCheck();
  await idp?.close();
}, 60_000);

describe('delegate mode', () => {
  it('names the external issuer in the resource metadata and accepts its tokens for this resource, as the mapped user and role', async () => {
    const prm = (await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).json()) as { authorization_servers: string[] };
    expect(prm.authorization_servers).toEqual([idp.issuer, `${base}/oauth`]);
    const res = await mcpPost('/mcp', await idp.token(`${base}/mcp`));
    expect(res.status).toBe(200);
    const alice = await t.ctx.db.selectFrom('users').selectAll().where('username', '=', 'alice').executeTakeFirst();
    expect(alice?.role).toBe('operator');
  });

  it('refuses a token for another audience, alg=none and an unknown key, and keeps serving', async () => {
    const other = await mcpPost('/mcp', await idp.token('https://other.example/api'));
    expect(other.status).toBe(401);
    expect(((await other.json()) as { detail: string }).detail).toMatch(/'aud' claim/);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none' })}.${b64({ iss: idp.issuer, aud: `${base}/mcp`, preferred_username: 'alice', roles: ['mcp-admins'], exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    expect((await mcpPost('/mcp', none)).status).toBe(401);
    const stranger = await generateKeyPair('ES256');
    const unknownKey = await new SignJWT({ preferred_username: 'alice', roles: ['mcp-admins'] }).setProtectedHeader({ alg: 'ES256', kid: 'not-published' }).setIssuer(idp.issuer).setAudience(`${base}/mcp`).setExpirationTime('5m').sign(stranger.privateKey);
    const refused = await mcpPost('/mcp', unknownKey);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await mcpPost('/mcp', await idp.token(`${base}/mcp`))).status).toBe(200);
  });

  it('follows the issuer to a new signing key (rotation) and refuses a mapped-out role', async () => {
    const port = Number(new URL(idp.issuer).port);
    const users = { findByUsername: async (name: string) => (await t.ctx.db.selectFrom('users').selectAll().where('username', '=', name).executeTakeFirst()), insert: async () => {} };
    // A fresh connection per request, as the outbound guard's pinned connections would be after the restart.
    const guard = { fetch: async (u: string | URL, init?: RequestInit) => (await undiciFetch(u, { ...(init as object), dispatcher: new Agent({ pipelining: 0 }) })) as unknown as Response };
    const config = { issuer: idp.issuer, jwksUrl: null, audience: null, usernameClaim: 'preferred_username', rolesClaim: 'roles', roleMap: { 'mcp-ops': 'operator' as const }, createUsers: false };
    const delegate = createDelegateTokens({ config, guard, users, jwksCooldownMs: 0 });
    expect((await delegate.verify(await idp.token(`${base}/mcp`), `${base}/mcp`)).role).toBe('operator');
    // The issuer restarts with a new key: the next token names a key id not seen yet, and the JWKS is fetched again.
    await idp.close();
    idp = await startExternalIdp(port, { preferred_username: 'alice', roles: ['mcp-ops'] });
    expect((await delegate.verify(await idp.token(`${base}/mcp`), `${base}/mcp`)).user.username).toBe('alice');
    const noRole = createDelegateTokens({ config: { ...config, roleMap: {} }, guard, users, jwksCooldownMs: 0 });
    await expect(noRole.verify(await idp.token(`${base}/mcp`), `${base}/mcp`)).rejects.toThrow(/maps to a role/);
  });
});
