import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** Signs in to the console; returns the cookie header to send back and the CSRF token. */
async function signIn(username = 'admin', password = ADMIN_PASSWORD) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username, password } });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'mcps_session')!;
  return { res, setCookie: cookie, cookie: `mcps_session=${cookie.value}`, csrf: res.json<{ csrf_token: string }>().csrf_token };
}

describe('console cookie session', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sign-in sets an HttpOnly, SameSite=Strict cookie on the API path and the cookie authenticates reads', async () => {
    const { res, setCookie, cookie, csrf } = await signIn();
    expect(setCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1' });
    expect(setCookie.secure).toBeFalsy();
    expect(res.json()).toMatchObject({ me: { name: 'admin', role: 'admin' } });
    expect(JSON.stringify(res.json())).not.toContain(setCookie.value);

    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    const session = await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } });
    expect(session.json()).toMatchObject({ csrf_token: csrf, me: { name: 'admin' } });

  });

  it('refuses an unsafe request authenticated by the cookie without the CSRF header (403 problem+json); with it, allowed', async () => {
    const { cookie, csrf } = await signIn();
    const body = { name: 'csrf-key', role: 'viewer' };
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: { cookie }, payload: body });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().detail).toMatch(/x-csrf-token/);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: { cookie, 'x-csrf-token': `${csrf}x` }, payload: body });
    expect(wrong.statusCode).toBe(403);
    const allowed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: { cookie, 'x-csrf-token': csrf }, payload: body });
    expect(allowed.statusCode).toBe(201);
  });

  it('bearer clients need no CSRF token (unchanged)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await t.login(), payload: { name: 'bearer-key', role: 'viewer' } });
    expect(res.statusCode).toBe(201);
  });

  it('sign-out clears the cookie', async () => {
    const { cookie } = await signIn();
    const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/session', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'mcps_session')!;
    expect(cleared.value).toBe('');
    expect(cleared.path).toBe('/api/v1');
    expect(new Date(cleared.expires!).getTime()).toBeLessThan(Date.now());
    const after = await t.app.inject({ url: '/api/v1/auth/session' });
    expect(after.statusCode).toBe(401);
  });

  it('an expired session answers 401 problem+json saying so', async () => {
    const { cookie } = await signIn();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (t.config.accessTokenExpireMinutes + 1) * 60_000);
    const res = await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toBe('access token expired');
  });

  it('behind an https proxy (MCPS_TRUST_PROXY) the cookie is Secure', async () => {
    const proxied = await createTestApp({ MCPS_TRUST_PROXY: 'true' });
    try {
      const res = await proxied.app.inject({
        method: 'POST',
        url: '/api/v1/auth/session',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      });
      expect(res.cookies.find((c) => c.name === 'mcps_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    } finally {
      await proxied.close();
    }
  });

  it('a wrong password sets no cookie', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/session', payload: { username: 'admin', password: 'wrong-password-123' } });
    expect(res.statusCode).toBe(401);
    expect(res.cookies).toHaveLength(0);
  });
});

describe('GET /auth/session for other clients', () => {
  it('answers a bearer client with its principal and no CSRF token (it needs none)', async () => {
    const res = await t.app.inject({ url: '/api/v1/auth/session', headers: await t.login() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ csrf_token: null, me: { name: 'admin' } });
  });
});
