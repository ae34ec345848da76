import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../../test/helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const me = (headers: { authorization: string }) => t.app.inject({ url: '/api/v1/auth/me', headers });

/** Sets the (frozen) wall clock: Date only, so timers and I/O keep running. */
function clockAt(ms: number): void {
  vi.setSystemTime(ms);
}

describe('a password change ends every session issued before it', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("refuses the old token in 10 of 10 trials where the change falls in the token's own second; the login after it works", async () => {
    await t.ctx.users.create({ username: 'sameseconds', password: 'same-second-pass-0', role: 'viewer' });
    vi.useFakeTimers({ toFake: ['Date'] });
    const second = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
    for (let i = 0; i < 10; i++) {
      const s = second + i * 1000;
      // Trial 0 does all three in the same millisecond; the others spread them over the second.
      clockAt(s + i * 10);
      const old = await t.login('sameseconds', `same-second-pass-${i}`);
      clockAt(s + i * 50);
      const changed = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/auth/me/password',
        headers: old,
        payload: { current_password: `same-second-pass-${i}`, new_password: `same-second-pass-${i + 1}` },
      });
      expect(changed.statusCode).toBe(204);
      const res = await me(old);
      expect(res.statusCode, `trial ${i}`).toBe(401);
      expect(res.json().detail).toBe('access token revoked');
      clockAt(s + i * 90);
      const fresh = await t.login('sameseconds', `same-second-pass-${i + 1}`);
      expect((await me(fresh)).statusCode, `trial ${i}`).toBe(200);
    }
  }, 120_000);

  it('an admin setting the password twice in a row ends the tokens issued between the two changes', async () => {
    await t.ctx.users.create({ username: 'twice', password: 'twice-password-0', role: 'viewer' });
    const u = await t.ctx.users.getRow('twice');
    await t.ctx.users.update(u.id, { password: 'twice-password-1' });
    const between = await t.login('twice', 'twice-password-1');
    await t.ctx.users.update(u.id, { password: 'twice-password-2' });
    expect((await me(between)).statusCode).toBe(401);
    const after = await t.ctx.users.getRow('twice');
    expect(after.password_changed_at > u.password_changed_at).toBe(true);
  });
});

describe('answers that carry a credential are never cached', () => {
  it('sends Cache-Control: no-store on login, API-key creation (both routes) and secret reveal', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.statusCode).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const admin = { authorization: `Bearer ${login.json().access_token as string}` };

    const key = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: admin, payload: { name: 'nostore', role: 'viewer' } });
    expect(key.statusCode).toBe(201);
    expect(key.headers['cache-control']).toBe('no-store');
    const gatewayKey = await t.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers: admin, payload: { name: 'nostore-gw', role: 'viewer', allowed_servers: ['a'] } });
    expect(gatewayKey.statusCode).toBe(201);
    expect(gatewayKey.headers['cache-control']).toBe('no-store');

    expect((await t.app.inject({ method: 'POST', url: '/api/v1/secrets', headers: admin, payload: { name: 'NOSTORE', value: 'shown-once' } })).statusCode).toBe(201);
    const reveal = await t.app.inject({ method: 'POST', url: '/api/v1/secrets/NOSTORE/reveal', headers: admin, payload: { reason: 'cache test' } });
    expect(reveal.json().value).toBe('shown-once');
    expect(reveal.headers['cache-control']).toBe('no-store');

    // Refusals too (they name who asked), and every other API answer.
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'not-the-password' } });
    expect(refused.headers['cache-control']).toBe('no-store');
    expect((await me(admin)).headers['cache-control']).toBe('no-store');
  });
});
