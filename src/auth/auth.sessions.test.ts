import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

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

describe('login lockout per username and address', () => {
  const loginFrom = (ip: string, username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: ip });

  it('an attacker failing 10 times locks only its own address, with a growing Retry-After; the user logs in from another', async () => {
    await t.ctx.users.create({ username: 'victim', password: 'victim-password-1', role: 'viewer' });
    const attacker = '203.0.113.66';
    const codes: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await loginFrom(attacker, 'victim', `guess-${i}-xxxxxxx`);
      codes.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(String(res.headers['content-type'])).toContain('application/problem+json');
        waits.push(Number(res.headers['retry-after']));
      }
    }
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThan(waits[i - 1]!);
    // The right password from the attacker's address is refused too, while locked.
    expect((await loginFrom(attacker, 'victim', 'victim-password-1')).statusCode).toBe(429);

    // The real user, from elsewhere, is not locked out.
    const real = await loginFrom('198.51.100.7', 'victim', 'victim-password-1');
    expect(real.statusCode, real.body).toBe(200);

    // Alerted once: an operation-log row with username and address, a system-log warning, a counter.
    const rows = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'auth.lockout').where('target_id', '=', 'victim').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ip: attacker, outcome: 'failure', actor_name: 'victim' });
    expect(JSON.parse(rows[0]!.details!)).toMatchObject({ username: 'victim', ip: attacker, scope: 'address', failures: 5 });
    expect(t.ctx.auth.metrics().lockouts_total.address).toBeGreaterThanOrEqual(1);
    const metrics = await t.app.inject({ url: '/metrics', headers: await t.login() });
    expect(metrics.body).toMatch(/mcps_auth_lockouts_total\{scope="address"\} [1-9]/);
  });

  it('failures from many addresses lock the username for new addresses, never for one the user logged in from lately', async () => {
    await t.ctx.users.create({ username: 'spread', password: 'spread-password-1', role: 'viewer' });
    const home = '192.0.2.10';
    expect((await loginFrom(home, 'spread', 'spread-password-1')).statusCode).toBe(200);
    for (let a = 0; a < 4; a++) {
      for (let i = 0; i < t.config.loginMaxFailures; i++) expect((await loginFrom(`203.0.113.${a + 1}`, 'spread', `guess-${a}-${i}-xxxxx`)).statusCode).toBe(401);
    }
    const stranger = await loginFrom('198.51.100.99', 'spread', 'spread-password-1');
    expect(stranger.statusCode).toBe(429);
    expect(Number(stranger.headers['retry-after'])).toBeGreaterThan(0);
    expect((await loginFrom(home, 'spread', 'spread-password-1')).statusCode).toBe(200);
    const account = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'auth.lockout').where('target_id', '=', 'spread').execute();
    expect(account.map((r) => JSON.parse(r.details!).scope)).toContain('account');
  }, 120_000);
});
