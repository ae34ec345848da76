import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { startCraftedIdp, type CraftedIdp } from './crafted-idp.js';
import { startOidcIdp, type OidcIdp } from './oidc-idp.js';

/**
 * Single sign-on through the API: a sign-in that succeeds (just-in-time user with the mapped role, reused
 * on the next sign-in), and every refusal of the relying party (state, nonce, ID token, mix-up, provider
 * errors, a provider on a private address), each audited, the platform serving on.
 */

let t: TestApp;
let admin: { authorization: string };
let crafted: CraftedIdp;
let idp: OidcIdp;
let base: string;

const cookieOf = (res: LightMyRequestResponse, name: string): string | null => {
  const all = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const found = all.find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1).split(';')[0]!) : null;
};

async function start(name: string): Promise<{ state: string; nonce: string; location: URL }> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${name}/start` });
  expect(res.statusCode, res.body).toBe(302);
  const location = new URL(String(res.headers.location));
  expect(location.searchParams.get('code_challenge_method')).toBe('S256');
  expect(cookieOf(res, 'mcps_sso_state')).toBe(location.searchParams.get('state'));
  return { state: location.searchParams.get('state')!, nonce: location.searchParams.get('nonce')!, location };
}

const callback = (name: string, query: Record<string, string>, browserState: string | null, accept = 'application/json') =>
  t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${name}/callback?${new URLSearchParams(query)}`, headers: { accept, ...(browserState ? { cookie: `mcps_sso_state=${browserState}` } : {}) } });

/** A whole sign-in against the crafted provider, its token endpoint answering `idToken(nonce)`. */
async function craftedSignIn(idToken: (nonce: string) => Promise<string>) {
  const { state, nonce } = await start('crafted');
  crafted.idToken = () => idToken(nonce);
  return { state, res: await callback('crafted', { code: 'any-code', state }, state) };
}

async function lastSsoAudit() {
  const row = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'auth.sso.login').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return { ...row, details: JSON.parse(row.details ?? '{}') as { reason?: string; provider?: string } };
}

/** The refusal is a clear problem+json, one failed operation-log row, and the platform keeps serving. */
async function expectRefused(res: LightMyRequestResponse, status: number, detail: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json().detail).toMatch(detail);
  expect(cookieOf(res, 'mcps_session')).toBeNull();
  const audit = await lastSsoAudit();
  expect(audit.outcome).toBe('failure');
  expect(audit.details.reason).toMatch(detail);
  expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso' })).statusCode).toBe(200);
}

beforeAll(async () => {
  const [port, craftedPort, idpPort] = [await freePort(), await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  crafted = await startCraftedIdp(craftedPort, 'platform');
  idp = await startOidcIdp(idpPort, { platformBase: base, providerName: 'keycloak', accounts: {} });
  t = await createTestApp({ MCPS_PUBLIC_URL: base });
  admin = await t.login();
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/secrets', headers: admin, payload: { name: 'SSO_SECRET', value: idp.clientSecret } })).statusCode).toBe(201);
  const providers = [
    { name: 'crafted', display_name: 'Crafted', issuer: crafted.issuer, client_id: 'platform', groups_claim: 'groups', role_map: { ops: 'operator', 'platform-admins': 'admin' } },
    { name: 'keycloak', display_name: 'Keycloak', issuer: idp.issuer, client_id: idp.clientId, client_secret: '${secret:SSO_SECRET}' },
  ];
  for (const payload of providers) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sso/providers', headers: admin, payload });
    expect(res.statusCode, res.body).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await t?.close();
  await crafted?.close();
  await idp?.close();
});

describe('single sign-on through the API', () => {
  it('lists the providers for the sign-in screen, and an admin sees the redirect URI to register', async () => {
    const options = (await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso' })).json();
    expect(options).toEqual({ local_passwords: true, providers: [
      { name: 'crafted', display_name: 'Crafted', start_url: '/api/v1/auth/sso/crafted/start' },
      { name: 'keycloak', display_name: 'Keycloak', start_url: '/api/v1/auth/sso/keycloak/start' },
    ] });
    const view = (await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso/providers/keycloak', headers: admin })).json();
    expect(view).toMatchObject({ redirect_uri: `${base}/api/v1/auth/sso/keycloak/callback`, client_secret: '${secret:SSO_SECRET}', default_role: 'viewer' });
    const viewer = await t.as('viewer');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso/providers', headers: viewer })).statusCode).toBe(403);
    const clear = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sso/providers', headers: admin, payload: { name: 'x', display_name: 'X', issuer: crafted.issuer, client_id: 'c', client_secret: 'plain-text' } });
    expect(clear.statusCode).toBe(400);
  });

  it('signs in with a valid ID token: the user is created once with the mapped role, and reused on the next sign-in', async () => {
    const first = await craftedSignIn((nonce) => crafted.sign(nonce, { groups: ['staff', 'ops'] }));
    expect(first.res.statusCode, first.res.body).toBe(302);
    expect(first.res.headers.location).toBe('/');
    const session = cookieOf(first.res, 'mcps_session');
    expect(session).toBeTruthy();
    const me = (await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { mcps_session: session! } })).json();
    expect(me.me).toMatchObject({ name: 'crafty', role: 'operator' });
    const second = await craftedSignIn((nonce) => crafted.sign(nonce, { groups: ['ops'] }));
    expect(second.res.statusCode).toBe(302);
    const users = await t.ctx.db.selectFrom('users').selectAll().where('username', '=', 'crafty').execute();
    expect(users).toHaveLength(1);
    expect(users[0]!.id).toBe(me.me.user_id);
    const created = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'user.create').where('target_id', '=', users[0]!.id).execute();
    expect(created).toHaveLength(1);
    expect((await lastSsoAudit()).outcome).toBe('success');
    // Its password is no password: the JIT user signs in only through the provider.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'crafty', password: '!' } })).statusCode).toBe(401);
  });

  it('never takes over a local account with the same name: the new identity gets its own user', async () => {
    await t.ctx.users.create({ username: 'mallory', password: 'mallory-password-1!', role: 'admin' });
    const { res } = await craftedSignIn((nonce) => crafted.sign(nonce, { sub: 'attacker-sub', preferred_username: 'mallory', email: 'mallory', email_verified: false }));
    expect(res.statusCode, res.body).toBe(302);
    const me = (await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { mcps_session: cookieOf(res, 'mcps_session')! } })).json();
    expect(me.me).toMatchObject({ name: 'mallory@crafted', role: 'viewer' });
  });

  it('refuses an unknown state, a state from another browser, and a replayed state', async () => {
    await expectRefused(await callback('crafted', { code: 'c', state: 'not-a-state' }, 'not-a-state'), 400, /unknown or already used state/);
    const { state } = await start('crafted');
    await expectRefused(await callback('crafted', { code: 'c', state }, 'another-browser'), 400, /not belong to a sign-in started in this browser/);
    await expectRefused(await callback('crafted', { code: 'c', state }, null), 400, /not belong to a sign-in started in this browser/);
    const ok = await craftedSignIn((nonce) => crafted.sign(nonce));
    expect(ok.res.statusCode).toBe(302);
    await expectRefused(await callback('crafted', { code: 'any-code', state: ok.state }, ok.state), 400, /unknown or already used state/);
  });

  it('refuses ID tokens with another nonce, audience or issuer, an expired one and alg=none', async () => {
    await expectRefused((await craftedSignIn(() => crafted.sign('another-nonce'))).res, 401, /nonce/);
    await expectRefused((await craftedSignIn((n) => crafted.sign(n, { aud: 'someone-else' }))).res, 401, /"aud"/);
    await expectRefused((await craftedSignIn((n) => crafted.sign(n, { iss: 'https://evil.example' }))).res, 401, /"iss"/);
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRefused((await craftedSignIn((n) => crafted.sign(n, { iat: past - 300, exp: past }))).res, 401, /"exp"/);
    await expectRefused((await craftedSignIn((n) => crafted.sign(n, {}, { alg: 'none' }))).res, 401, /alg|signature|none/i);
    await expectRefused((await craftedSignIn((n) => crafted.sign(n, {}, { kid: 'not-published' }))).res, 401, /key|JWKS/i);
  });

  it('refuses an iss response parameter naming another provider (mix-up) and an error from the provider', async () => {
    const mixed = await start('keycloak');
    await expectRefused(await callback('keycloak', { code: 'c', state: mixed.state, iss: crafted.issuer }, mixed.state), 401, /"iss"/);
    const denied = await start('keycloak');
    await expectRefused(await callback('keycloak', { error: 'access_denied', error_description: 'the user said no', state: denied.state, iss: idp.issuer }, denied.state), 401, /access_denied \(the user said no\)/);
  });

  it('sends a browser back to the sign-in screen with the reason', async () => {
    const res = await callback('crafted', { code: 'c', state: 'nope' }, 'nope', 'text/html,application/xhtml+xml');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(cookieOf(res, 'mcps_sso_error')).toMatch(/^unknown or already used state/);
  });

  it('refuses a provider on a private address that MCPS_OUTBOUND_ALLOW does not list (the outbound guard)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sso/providers', headers: admin, payload: { name: 'inside', display_name: 'Inside', issuer: 'http://127.0.0.2:8080/realms/x', client_id: 'c' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/issuer: outbound connection to '127.0.0.2' refused: .*private, loopback or reserved/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso/inside/start' })).statusCode).toBe(404);
  });

  it('turns the password sign-in off: a clear refusal, the sign-in screen told, API keys unaffected', async () => {
    const off = await t.app.inject({ method: 'PUT', url: '/api/v1/system/config', headers: admin, payload: { 'auth.local_passwords': false } });
    expect(off.statusCode, off.body).toBe(200);
    try {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'admin', password: 'whatever-it-is' } });
      expect(res.statusCode).toBe(403);
      expect(res.json().detail).toMatch(/password sign-in is turned off.*mcps user local-passwords on/);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso' })).json().local_passwords).toBe(false);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: admin })).statusCode).toBe(200);
    } finally {
      await t.app.inject({ method: 'PUT', url: '/api/v1/system/config', headers: admin, payload: { 'auth.local_passwords': null } });
    }
  });

  it('hands a sign-in started from an MCP client\'s authorization back to that page only, with a marker for it', async () => {
    const uid = 'Interaction_uid-1';
    const started = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/crafted/start?return_to=${encodeURIComponent(`/oauth/interaction/${uid}`)}` });
    expect(started.statusCode, started.body).toBe(302);
    const state = new URL(String(started.headers.location)).searchParams.get('state')!;
    expect(cookieOf(started, 'mcps_sso_return')).toBe(`/oauth/interaction/${uid}`);
    crafted.idToken = () => crafted.sign(new URL(String(started.headers.location)).searchParams.get('nonce')!);
    const back = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/crafted/callback?code=c&state=${state}`, headers: { cookie: `mcps_sso_state=${state}; mcps_sso_return=${encodeURIComponent(`/oauth/interaction/${uid}`)}` } });
    expect(back.statusCode, back.body).toBe(302);
    expect(back.headers.location).toBe(`/oauth/interaction/${uid}`);
    expect(cookieOf(back, 'mcps_session')).toBeNull();
    const marker = ([] as string[]).concat(back.headers['set-cookie'] ?? []).find((c) => c.startsWith('mcps_sso_oauth='))!;
    expect(marker).toMatch(new RegExp(`Path=/oauth/interaction/${uid}.*HttpOnly`, 'i'));
    expect(marker).toMatch(/Max-Age=120/);

    // A foreign target in the return cookie (not set by the platform) is ignored: the console, as usual.
    const other = await start('crafted');
    crafted.idToken = () => crafted.sign(other.nonce);
    const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/crafted/callback?code=c&state=${other.state}`, headers: { cookie: `mcps_sso_state=${other.state}; mcps_sso_return=${encodeURIComponent('https://evil.example/')}` } });
    expect(foreign.statusCode, foreign.body).toBe(302);
    expect(foreign.headers.location).toBe('/');
    for (const target of ['https://evil.example/', '//evil.example/oauth/interaction/x', '/oauth/interaction/x/../../../api']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/crafted/start?return_to=${encodeURIComponent(target)}` });
      expect(res.statusCode, target).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });
});
