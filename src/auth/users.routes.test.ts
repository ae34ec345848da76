import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
});
afterAll(async () => t.close());

const userCount = async () => (await t.ctx.db.selectFrom('users').select('id').execute()).length;

describe('users CRUD (admin)', () => {
  it('creates, reads by id and by name, updates and deletes a user', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { username: 'alice', password: 'alice-password-1', role: 'operator' } });
    expect(created.statusCode).toBe(201);
    const alice = created.json();
    expect(alice).toMatchObject({ username: 'alice', role: 'operator', disabled: false });
    expect(alice).not.toHaveProperty('password_hash');

    expect((await t.app.inject({ url: `/api/v1/users/${alice.id}`, headers: admin })).json().username).toBe('alice');
    expect((await t.app.inject({ url: '/api/v1/users/alice', headers: admin })).json().id).toBe(alice.id);

    const patched = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/alice', headers: admin, payload: { role: 'viewer', disabled: true } });
    expect(patched.json()).toMatchObject({ role: 'viewer', disabled: true });
    // A disabled user cannot log in.
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'alice', password: 'alice-password-1' } });
    expect(login.statusCode).toBe(401);

    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/users/alice', headers: admin })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/users/alice', headers: admin })).statusCode).toBe(404);
  });

  it('an admin password reset lets the user log in with the new password', async () => {
    await t.ctx.users.create({ username: 'bob', password: 'bob-password-old', role: 'viewer' });
    await t.app.inject({ method: 'PATCH', url: '/api/v1/users/bob', headers: admin, payload: { password: 'bob-password-new' } });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bob', password: 'bob-password-new' } })).statusCode).toBe(200);
  });

  it('refuses a duplicate username with 409', async () => {
    await t.ctx.users.create({ username: 'carol', password: 'carol-password-1', role: 'viewer' });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { username: 'carol', password: 'another-password', role: 'viewer' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('conflict');
  });

  it('never removes, disables or demotes the last admin, nor lets an admin delete themself', async () => {
    const other = await createTestApp();
    try {
      const h = await other.login();
      for (const payload of [{ role: 'viewer' }, { disabled: true }]) {
        const res = await other.app.inject({ method: 'PATCH', url: '/api/v1/users/admin', headers: h, payload });
        expect(res.statusCode).toBe(409);
      }
      expect((await other.app.inject({ method: 'DELETE', url: '/api/v1/users/admin', headers: h })).statusCode).toBe(409);
      expect((await other.app.inject({ url: '/api/v1/auth/me', headers: h })).json().role).toBe('admin');
    } finally {
      await other.close();
    }
  });

  it('paginates with limit and cursor, visiting every user once', async () => {
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await t.ctx.users.create({ username: `page-${n}`, password: 'page-password-x', role: 'viewer' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let total: number | undefined;
    do {
      const url: string = `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ url, headers: admin })).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u: { username: string }) => u.username));
      total = page.total;
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(total ?? -1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
  });
});

describe('bad input: 4xx problem+json, nothing written, still serving', () => {
  const cases: [string, Record<string, unknown> | string, string | undefined][] = [
    ['unknown field', { username: 'dave', password: 'dave-password-1', role: 'viewer', is_admin: true }, 'body'],
    ['wrong type', { username: 'dave', password: 12345678901234, role: 'viewer' }, 'body.password'],
    ['bad role', { username: 'dave', password: 'dave-password-1', role: 'root' }, 'body.role'],
    ['short password', { username: 'dave', password: 'short', role: 'viewer' }, 'body.password'],
    ['bad username', { username: '../etc', password: 'dave-password-1', role: 'viewer' }, 'body.username'],
  ];
  for (const [name, payload, field] of cases) {
    it(`${name} -> 400 listing the field`, async () => {
      const before = await userCount();
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload });
      expect(res.statusCode).toBe(400);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      const body = res.json();
      expect(body.code).toBe('validation');
      expect(body.errors.length).toBeGreaterThan(0);
      if (field) expect(body.errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
      expect(await userCount()).toBe(before);
    });
  }

  it('bad JSON -> 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"username": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_request');
  });

  it('oversized body -> 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024), password: 'p', role: 'viewer' }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('an unsupported content type -> 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(415);
  });

  it('a bad cursor -> 400', async () => {
    const res = await t.app.inject({ url: '/api/v1/users?cursor=%%%', headers: admin });
    expect(res.statusCode).toBe(400);
  });

  it('keeps serving after all of that', async () => {
    expect((await t.app.inject({ url: '/api/v1/users', headers: admin })).statusCode).toBe(200);
  });
});
