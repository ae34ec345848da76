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

  it('refuses a mix-up between two issuers and a token not yet valid, each audited, and keeps serving', async () => {
    const second = await startExternalIdp(await freePort(), { preferred_username: 'alice', roles: ['mcp-ops'] });
    try {
      const now = Math.floor(Date.now() / 1000);
      const claims = { aud: `${base}/mcp`, preferred_username: 'alice', roles: ['mcp-ops'], iat: now, exp: now + 300 };
      const refusal = async (token: string) => {
        const res = await mcpPost('/mcp', token);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
        return ((await res.json()) as { detail: string }).detail;
      };
      // A real token of another issuer, for this very resource: that issuer is not trusted here.
      expect(await refusal(await second.token(`${base}/mcp`))).toMatch(/not issued by an authorization server this platform trusts/);
      // Mix-up: signed by the other issuer, claiming to come from the trusted one (its key id, or its own).
      expect(await refusal(await second.sign({ ...claims, iss: idp.issuer }))).toMatch(/key the issuer does not publish/);
      expect(await refusal(await second.sign({ ...claims, iss: idp.issuer }, idp.kid))).toMatch(/signature does not verify/);
      // A JWT naming the platform's own issuer: its access tokens are opaque, so no JWT is one of them.
      expect(await refusal(await second.sign({ ...claims, iss: `${base}/oauth` }))).toMatch(/not issued by an authorization server this platform trusts/);
      // Not yet valid: `nbf` ten minutes ahead (beyond any clock tolerance), signed by the trusted issuer.
      expect(await refusal(await idp.sign({ ...claims, iss: idp.issuer, nbf: now + 600, exp: now + 900 }))).toMatch(/'nbf' claim/);

      const rows = await t.call('GET', `/logs/operations?action=oauth.token_refused&outcome=failure&limit=100`);
      const reasons = (rows.json() as { items: { details: { reason?: string } | null }[] }).items.map((r) => r.details?.reason ?? '');
      for (const pattern of [/not issued by an authorization server this platform trusts/, /key the issuer does not publish/, /signature does not verify/, /'nbf' claim/])
        expect(reasons.some((r) => pattern.test(r)), String(pattern)).toBe(true);
      expect((await mcpPost('/mcp', await idp.token(`${base}/mcp`))).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('narrows a delegated token by the server scopes of its scope claim, as the platform\'s own tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = (resource: string, scope: string) => idp.sign({ iss: idp.issuer, aud: resource, preferred_username: 'alice', roles: ['mcp-ops'], scope, iat: now, exp: now + 300 });
    expect((await mcpPost('/mcp', await signed(`${base}/mcp`, 'mcp mcp:server:wb'))).status).toBe(200);
    for (const [resource, scope, reason] of [['/mcp/other', 'mcp:server:wb', /limited to the MCP servers wb/], ['/mcp', 'mcp mcp:server:Not-A-Name', /names no MCP server/]] as const) {
      const res = await mcpPost(resource, await signed(`${base}${resource}`, scope));
      expect(res.status, scope).toBe(403);
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(((await res.json()) as { detail: string }).detail).toMatch(reason);
    }
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
