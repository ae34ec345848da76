import { createHash, createSecretKey } from 'node:crypto';
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Forged, stale and tampered credentials, each sent to GET /auth/me: every one must get 401.
 * Forgeries that need the platform's signing key derive it as src/auth/tokens.ts does, so that
 * the claim checks (expiry, audience, issuer, revocation) are what refuses them, not the signature.
 */

let t: TestApp;
let adminId: string;
const results: { name: string; status: number }[] = [];

function signingKey(secretKey: string) {
  return createSecretKey(createHash('sha256').update(`mcps-one/jwt/v1\0${secretKey}`).digest());
}

/** The password generation a token of `sub` carries (its `pwd` claim): the user's current one, if any. */
async function generationOf(sub: string): Promise<string> {
  const row = await t.ctx.db.selectFrom('users').select('password_changed_at').where('id', '=', sub).executeTakeFirst();
  return row?.password_changed_at ?? new Date().toISOString();
}

/** A token as the platform would sign it, with `edit` applied before signing. */
async function forge(edit: (jwt: SignJWT) => SignJWT, key = signingKey(t.config.secretKey), sub = adminId, alg = 'HS256', pwd?: string) {
  const base = new SignJWT({ pwd: pwd ?? (await generationOf(sub)) }).setProtectedHeader({ alg, typ: 'JWT' }).setSubject(sub).setIssuer('mcps-one').setAudience('mcps-one-api').setIssuedAt().setExpirationTime('15m');
  return edit(base).sign(key);
}

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

async function me(headers: Record<string, string>): Promise<number> {
  return (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers })).statusCode;
}

/** Records the trick and expects it refused (softly, so one hole does not hide the next). */
async function refused(name: string, headers: Record<string, string>): Promise<void> {
  const status = await me(headers);
  results.push({ name, status });
  expect.soft(status, name).toBe(401);
}

async function user(name: string, role: 'viewer' | 'admin' = 'viewer') {
  const created = await t.ctx.users.create({ username: name, password: `${name}-password!`, role });
  return { id: created.id, headers: await t.login(name, `${name}-password!`) };
}

async function adminCall(method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await t.app.inject({ method, url: `/api/v1${url}`, headers: await t.login(), ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.statusCode === 204 ? null : res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  adminId = (await t.ctx.users.get('admin')).id;
  // The genuine article works, so every 401 below is the trick's doing.
  expect(await me(bearer(await forge((j) => j)))).toBe(200);
});
afterAll(async () => {
  console.log(`token tricks: ${results.filter((r) => r.status === 401).length}/${results.length} refused`);
  await t?.close();
});

// Password hashing (scrypt) makes each login and user slow on a busy machine.
describe('token tricks', { timeout: 90_000 }, () => {
  it('refuses forged JWTs', async () => {
    const genuine = (await t.login()).authorization.slice('Bearer '.length);
    const [header, , signature] = genuine.split('.');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = decodeJwt(genuine);

    await refused('alg=none', bearer(new UnsecuredJWT({ sub: adminId }).setIssuer('mcps-one').setAudience('mcps-one-api').setIssuedAt().setExpirationTime('15m').encode()));
    await refused('alg=none header on a real payload', bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${genuine.split('.')[1]}.`));
    await refused('wrong signing key', bearer(await forge((j) => j, createSecretKey(Buffer.alloc(32, 7)))));
    await refused('SECRET_KEY itself as the HMAC key', bearer(await forge((j) => j, createSecretKey(Buffer.from(t.config.secretKey)))));
    await refused('HS512 with the right key', bearer(await forge((j) => j, undefined, adminId, 'HS512')));
    await refused('signature cut off', bearer(`${header}.${genuine.split('.')[1]}.`));
    await refused('signature of another token', bearer(`${header}.${genuine.split('.')[1]}.${(await forge((j) => j.setExpirationTime('20m'))).split('.')[2]}`));
    await refused('edited claim: role=admin added', bearer(`${header}.${b64({ ...claims, role: 'admin' })}.${signature}`));
    const viewer = await user('tricks-viewer');
    await refused('edited claim: sub swapped to another user', bearer(`${header}.${b64({ ...claims, sub: viewer.id })}.${signature}`));
    await refused('edited claim: exp extended', bearer(`${header}.${b64({ ...claims, exp: (claims.exp ?? 0) + 86_400 })}.${signature}`));
    await refused('expired', bearer(await forge((j) => j.setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600))));
    await refused('not yet valid (nbf in an hour)', bearer(await forge((j) => j.setNotBefore('1h'))));
    await refused('wrong audience', bearer(await forge((j) => j.setAudience('another-api'))));
    await refused('wrong issuer', bearer(await forge((j) => j.setIssuer('someone-else'))));
    await refused('no subject', bearer(await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('mcps-one').setAudience('mcps-one-api').setIssuedAt().setExpirationTime('15m').sign(signingKey(t.config.secretKey))));
    await refused('subject of no user', bearer(await forge((j) => j, undefined, 'no-such-user')));
    await refused('garbage', bearer('a.b.c'));
    await refused('Basic scheme', { authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` });
    await refused('two tokens in one header', { authorization: `Bearer ${genuine} ${genuine}` });
  });

  it('refuses tokens of deleted and disabled users', async () => {
    const deleted = await user('tricks-deleted');
    await adminCall('DELETE', `/users/${deleted.id}`);
    await refused('token of a deleted user', deleted.headers);
    const disabled = await user('tricks-disabled');
    await adminCall('PATCH', `/users/${disabled.id}`, { disabled: true });
    await refused('token of a disabled user', disabled.headers);
  });

  it('refuses tokens issued before a password change, in the same second too', async () => {
    const u = await user('tricks-pw');
    // A clearly later second first: the plain case, apart from the same-second one below.
    await new Promise((r) => setTimeout(r, 1100));
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/auth/me/password', headers: u.headers, payload: { current_password: 'tricks-pw-password!', new_password: 'tricks-pw-password-2!' } });
    expect(res.statusCode, res.body).toBe(204);
    await refused('token from before a password change (own change)', u.headers);

    let previous = '';
    // Real races: log in at the start of a second and change the password at once (usually the same second).
    for (let trial = 1; trial <= 3; trial++) {
      while (Date.now() % 1000 > 30) await new Promise((r) => setTimeout(r, 5));
      const token = await t.login('tricks-pw', `tricks-pw-password-2!${trial > 1 ? trial - 1 : ''}`);
      previous = await generationOf(u.id);
      await adminCall('PATCH', `/users/${u.id}`, { password: `tricks-pw-password-2!${trial}` });
      await refused(`token issued just before a password change, racing into the same second (trial ${trial})`, token);
    }
    // Deterministic: a token the platform would have issued at the start of the change's second, before it.
    const row = await t.ctx.db.selectFrom('users').select('password_changed_at').where('id', '=', u.id).executeTakeFirstOrThrow();
    const second = Math.floor(Date.parse(row.password_changed_at) / 1000);
    await refused('token issued in the same second as a password change, before it', bearer(await forge((j) => j.setIssuedAt(second), undefined, u.id, 'HS256', previous)));
    // A login after the change works (from the next second on, whatever the precision of the check).
    while (Math.floor(Date.now() / 1000) <= second) await new Promise((r) => setTimeout(r, 20));
    expect(await me(await t.login('tricks-pw', 'tricks-pw-password-2!3'))).toBe(200);
  });

  it('refuses revoked, tampered and orphaned API keys', async () => {
    const admin = await t.login();
    const createKey = async (headers: Record<string, string>, name: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers, payload: { name, role: 'viewer' } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { key: string; api_key: { id: string } };
    };
    const revoked = await createKey(admin, 'tricks-revoked');
    expect(await me({ 'x-api-key': revoked.key })).toBe(200);
    await adminCall('DELETE', `/auth/api-keys/${revoked.api_key.id}`);
    await refused('revoked API key (Bearer)', bearer(revoked.key));
    await refused('revoked API key (X-API-Key)', { 'x-api-key': revoked.key });

    const good = await createKey(admin, 'tricks-good');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    await refused('API key with its last character changed', bearer(flip(good.key, good.key.length - 1)));
    await refused('API key with a middle character changed', bearer(flip(good.key, 20)));
    await refused('API key truncated', bearer(good.key.slice(0, -1)));
    await refused('API key extended', bearer(`${good.key}A`));
    await refused('API key upper-cased', bearer(good.key.toUpperCase()));
    await refused('API key display prefix only', bearer(good.key.slice(0, 11)));

    for (const fate of ['deleted', 'disabled'] as const) {
      const owner = await user(`tricks-key-${fate}`, 'admin');
      const key = await createKey(owner.headers, `tricks-${fate}-owner`);
      expect(await me(bearer(key.key))).toBe(200);
      if (fate === 'deleted') await adminCall('DELETE', `/users/${owner.id}`);
      else await adminCall('PATCH', `/users/${owner.id}`, { disabled: true });
      await refused(`API key of a ${fate} user`, bearer(key.key));
    }
  });
});
