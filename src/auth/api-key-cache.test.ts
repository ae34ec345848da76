import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createApiKeyCache } from './api-key-cache.js';
import { createApiKeyRepository } from './api-key.repository.js';
import { createAuthService } from './auth.service.js';
import { createLoginAttemptRepository } from './login-attempt.repository.js';
import { createTokenService } from './tokens.js';
import { createUserRepository } from './user.repository.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** A second platform instance on the same database: its own repositories and its own key cache. */
function otherInstance(ttlMs: number) {
  return createAuthService({
    users: createUserRepository(t.ctx.db),
    apiKeys: createApiKeyRepository(t.ctx.db),
    loginAttempts: createLoginAttemptRepository(t.ctx.db),
    tokens: createTokenService(t.config.secretKey, 30),
    maxFailures: 5,
    apiKeyCacheTtlMs: ttlMs,
  });
}

async function newKey(name: string, role: 'viewer' | 'operator' | 'admin' = 'viewer', owner?: { authorization: string }) {
  const headers = owner ?? (await t.login());
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers, payload: { name, role } });
  expect(res.statusCode).toBe(201);
  return res.json() as { key: string; api_key: { id: string } };
}

const me = (key: string) => t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${key}` } });

describe('verified API keys are cached, and changes still take effect', () => {
  it('a cached key is not read again: the same request after the row is gone still authenticates, within the TTL', async () => {
    const { key, api_key } = await newKey('cached');
    const other = otherInstance(60_000);
    await expect(other.authenticateApiKey(key)).resolves.toMatchObject({ type: 'api_key', id: api_key.id });
    // Revoked behind the cache's back (as another instance would, without telling this one).
    await t.ctx.db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).where('id', '=', api_key.id).execute();
    await expect(other.authenticateApiKey(key)).resolves.toMatchObject({ id: api_key.id });
  });

  it('a key revoked on another instance is refused here once the TTL has passed', async () => {
    const { key, api_key } = await newKey('elsewhere');
    const here = otherInstance(150);
    await here.authenticateApiKey(key);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${api_key.id}`, headers: await t.login() })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    await expect(here.authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized', message: 'API key revoked' });
  });

  it('revoked on this instance: refused on the very next request, REST and gateway alike', async () => {
    const { key, api_key } = await newKey('next-request', 'operator');
    expect((await me(key)).statusCode).toBe(200);
    const mcp = () => t.app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, payload: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect((await mcp()).statusCode).not.toBe(401);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${api_key.id}`, headers: await t.login() });
    expect((await me(key)).statusCode).toBe(401);
    expect((await mcp()).statusCode).toBe(401);
  });

  it("the owner's deletion and role change take effect on the next request", async () => {
    const admin = await t.login();
    await t.ctx.users.create({ username: 'cacheowner', password: 'cacheowner-password', role: 'admin' });
    const owner = await t.login('cacheowner', 'cacheowner-password');
    const { key } = await newKey('owned', 'admin', owner);
    expect((await me(key)).json()).toMatchObject({ role: 'admin' });
    await t.app.inject({ method: 'PATCH', url: '/api/v1/users/cacheowner', headers: admin, payload: { role: 'operator' } });
    expect((await me(key)).json()).toMatchObject({ role: 'operator' });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/users/cacheowner', headers: admin })).statusCode).toBe(204);
    expect((await me(key)).statusCode).toBe(401);
  });
});

describe('createApiKeyCache', () => {
  const row = (id: string, user: string) => ({ row: { id, user_id: user } as never, owner: undefined });

  it('forgets entries after the TTL, by key and by owner', () => {
    let now = 0;
    const cache = createApiKeyCache({ ttlMs: 100, now: () => now });
    cache.set('h1', row('k1', 'u1'));
    cache.set('h2', row('k2', 'u1'));
    cache.set('h3', row('k3', 'u2'));
    now = 99;
    expect(cache.get('h1')).toBeDefined();
    cache.forgetKey('k1');
    expect(cache.get('h1')).toBeUndefined();
    cache.forgetOwner('u1');
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h3')).toBeDefined();
    now = 100;
    expect(cache.get('h3')).toBeUndefined();
  });
});
