import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String), request_id: expect.any(String) });
  return body;
}

describe('login and tokens', () => {
  it('logs in with the first admin and answers /auth/me', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 30 * 60 });
    expect(body.access_token.split('.')).toHaveLength(3);

    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ type: 'user', name: 'admin', role: 'admin' });
    expect(me.json().permissions).toContain('users:write');
  });

  it('refuses a wrong password with 401 problem+json and records the failure', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'wrong-password' } });
    expectProblem(res, 401, 'unauthorized');
    const rows = await t.ctx.db.selectFrom('login_attempts').selectAll().where('username', '=', 'admin').where('succeeded', '=', 0).execute();
    expect(rows.some((r) => r.reason === 'bad_password')).toBe(true);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody', password: 'whatever-password' } });
    expect(expectProblem(res, 401, 'unauthorized').detail).toBe('invalid credentials');
  });

  it('refuses anonymous, malformed, forged and expired credentials with 401', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/users' }), 401, 'unauthorized');
    expectProblem(await t.app.inject({ url: '/api/v1/users', headers: { authorization: 'Basic abc' } }), 401, 'unauthorized');
    expectProblem(await t.app.inject({ url: '/api/v1/users', headers: { authorization: 'Bearer not.a.jwt' } }), 401, 'unauthorized');
    // A token signed with another key.
    const other = await createTestApp();
    try {
      const forged = await other.login();
      expectProblem(await t.app.inject({ url: '/api/v1/auth/me', headers: forged }), 401, 'unauthorized');
    } finally {
      await other.close();
    }
    const { SignJWT } = await import('jose');
    const { createHash } = await import('node:crypto');
    const key = createHash('sha256').update(`mcps-one/jwt/v1\0${t.config.secretKey}`).digest();
    const admin = await t.ctx.users.getRow('admin');
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(admin.id)
      .setIssuer('mcps-one')
      .setAudience('mcps-one-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    const res = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${expired}` } });
    expect(expectProblem(res, 401, 'unauthorized').detail).toBe('access token expired');
  });

  it('ends older sessions when the password changes', async () => {
    await t.ctx.users.create({ username: 'changer', password: 'changer-password-1', role: 'viewer' });
    const old = await t.login('changer', 'changer-password-1');
    // Tokens carry second-precision iat; make sure the change happens in a later second.
    await new Promise((r) => setTimeout(r, 1100));
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/me/password',
      headers: old,
      payload: { current_password: 'changer-password-1', new_password: 'changer-password-2' },
    });
    expect(res.statusCode).toBe(204);
    expectProblem(await t.app.inject({ url: '/api/v1/auth/me', headers: old }), 401, 'unauthorized');
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await t.login('changer', 'changer-password-2');
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: fresh })).statusCode).toBe(200);
  });

  it('refuses a password change with a wrong current password', async () => {
    const h = await t.as('viewer');
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/me/password',
      headers: h,
      payload: { current_password: 'not-it-at-all', new_password: 'a-new-long-password' },
    });
    expectProblem(res, 403, 'forbidden');
  });

  it('locks a username after repeated failures (429 with Retry-After), even with the right password', async () => {
    await t.ctx.users.create({ username: 'target', password: 'target-password-1', role: 'viewer' });
    for (let i = 0; i < t.config.loginMaxFailures; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'target', password: `guess-${i}-xxxxx` } });
      expect(r.statusCode).toBe(401);
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'target', password: 'target-password-1' } });
    expectProblem(locked, 429, 'rate_limited');
    expect(locked.headers['retry-after']).toBeDefined();
    // Other users are not affected.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } })).statusCode).toBe(200);
  });
});

describe('login rate limit per IP', () => {
  it('answers 429 problem+json past MCPS_LOGIN_MAX_PER_MINUTE and keeps serving other routes', async () => {
    const small = await createTestApp({ MCPS_LOGIN_MAX_PER_MINUTE: '3' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await small.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `u${i}`, password: 'xxxxxxxxxxxx' } });
        codes.push(r.statusCode);
      }
      expect(codes.slice(0, 3)).toEqual([401, 401, 401]);
      expect(codes.slice(3)).toEqual([429, 429]);
      const last = await small.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x', password: 'xxxxxxxxxxxx' } });
      expect(String(last.headers['content-type'])).toContain('application/problem+json');
      expect((await small.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('API keys', () => {
  it('creates a key shown once, authenticates with Bearer and X-API-Key, and stops at once when revoked', async () => {
    const admin = await t.login();
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: admin, payload: { name: 'ci', role: 'operator' } });
    expect(created.statusCode).toBe(201);
    const { key, api_key } = created.json();
    expect(key).toMatch(/^mcps_[A-Za-z0-9_-]{43}$/);
    expect(api_key).toMatchObject({ name: 'ci', role: 'operator', revoked_at: null });
    expect(JSON.stringify(api_key)).not.toContain(key);

    // Only a hash is stored.
    const row = await t.ctx.db.selectFrom('api_keys').selectAll().where('id', '=', api_key.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(key);

    const viaBearer = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${key}` } });
    expect(viaBearer.json()).toMatchObject({ type: 'api_key', name: 'ci', role: 'operator' });
    const viaHeader = await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
    expect(viaHeader.statusCode).toBe(200);

    const list = await t.app.inject({ url: '/api/v1/auth/api-keys', headers: admin });
    expect(list.body).not.toContain(key);
    expect(list.json().items.map((k: { id: string }) => k.id)).toContain(api_key.id);

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${api_key.id}`, headers: admin });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked_at).not.toBeNull();
    const after = await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
    expect(expectProblem(after, 401, 'unauthorized').detail).toBe('API key revoked');
  });

  it('refuses an expired key and an expires_at in the past', async () => {
    const admin = await t.login();
    const past = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: admin, payload: { name: 'old', role: 'viewer', expires_at: '2001-01-01T00:00:00Z' } });
    expectProblem(past, 400, 'validation');
    const soon = new Date(Date.now() + 1500).toISOString();
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: admin, payload: { name: 'short', role: 'viewer', expires_at: soon } });
    const { key } = created.json();
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    expect(expectProblem(await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } }), 401, 'unauthorized').detail).toBe('API key expired');
  });

  it('refuses a random key that looks right', async () => {
    const res = await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': 'mcps_' + 'A'.repeat(43) } });
    expectProblem(res, 401, 'unauthorized');
  });

  it('a key of a disabled user stops working', async () => {
    const admin = await t.login();
    await t.ctx.users.create({ username: 'keyowner', password: 'keyowner-password', role: 'admin' });
    const owner = await t.login('keyowner', 'keyowner-password');
    const { key } = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: owner, payload: { name: 'k', role: 'viewer' } })).json();
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/users/keyowner', headers: admin, payload: { disabled: true } });
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } })).statusCode).toBe(401);
  });
});

describe('roles', () => {
  it('a viewer cannot create users or keys (403) and nothing is written', async () => {
    const viewer = await t.as('viewer');
    const before = await t.ctx.db.selectFrom('users').select('id').execute();
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: viewer, payload: { username: 'sneaky', password: 'sneaky-password', role: 'admin' } }),
      403,
      'forbidden',
    );
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: viewer, payload: { name: 'x', role: 'viewer' } }), 403, 'forbidden');
    expectProblem(await t.app.inject({ url: '/api/v1/users', headers: viewer }), 403, 'forbidden');
    expect(await t.ctx.db.selectFrom('users').select('id').execute()).toHaveLength(before.length);
  });

  it('an operator can read logs but not the user list or cleanup', async () => {
    const op = await t.as('operator');
    expect((await t.app.inject({ url: '/api/v1/logs/operations', headers: op })).statusCode).toBe(200);
    expectProblem(await t.app.inject({ url: '/api/v1/users', headers: op }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/logs/cleanup?older_than_days=1', headers: op }), 403, 'forbidden');
  });

  it('a key never acts above its owner: an admin cannot mint a key above admin, and a demoted owner caps the key', async () => {
    const admin = await t.login();
    await t.ctx.users.create({ username: 'demoteme', password: 'demoteme-password', role: 'admin' });
    const owner = await t.login('demoteme', 'demoteme-password');
    const { key } = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: owner, payload: { name: 'k', role: 'admin' } })).json();
    expect((await t.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/users/demoteme', headers: admin, payload: { role: 'viewer' } });
    expect((await t.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': key } })).statusCode).toBe(403);
  });
});
