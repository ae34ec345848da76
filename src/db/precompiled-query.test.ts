import { describe, expect, it } from 'vitest';
import { useMigratedDatabase } from '../../test/helpers/migrated-db.js';
import { createUserRepository } from '../auth/user.repository.js';
import type { UserRow } from '../auth/user.table.js';
import { precompiledQuery } from './precompiled-query.js';

const t = useMigratedDatabase();

function user(username: string, role: UserRow['role'] = 'viewer'): UserRow {
  const at = '2026-12-03T00:00:00.000Z';
  return { id: `id-${username}`, username, password_hash: `hash-${username}`, role, disabled_at: null, password_changed_at: at, last_login_at: null, created_at: at, updated_at: at };
}

describe('precompiledQuery', () => {
  it('binds each call its own values: concurrent reads of different users get their own rows', async () => {
    const users = createUserRepository(t.db);
    for (const name of ['ann', 'ben', 'cid']) await users.insert(user(name));
    const found = await Promise.all(['id-cid', 'id-ann', 'id-ben', 'id-ann', 'missing'].map((id) => users.findById(id)));
    expect(found.map((u) => u?.username ?? null)).toEqual(['cid', 'ann', 'ben', 'ann', null]);
    // A page after a cursor and a first page, one after the other and at once, are the right rows.
    const [first, after] = await Promise.all([users.list(2), users.list(5, 'ann')]);
    expect(first.map((u) => u.username)).toEqual(['ann', 'ben']);
    expect(after.map((u) => u.username)).toEqual(['ben', 'cid']);
    expect((await users.list(1, 'ben')).map((u) => u.username)).toEqual(['cid']);
    expect(await users.count()).toBe(3);
  });

  it('keeps the values written into the query and puts each parameter in its place', async () => {
    const users = createUserRepository(t.db);
    await users.insert(user('dee', 'admin'));
    await users.insert(user('eve', 'admin'));
    const admins = precompiledQuery<{ after: string; limit: number }, { username: string }>(t.db, (p) =>
      t.db.selectFrom('users').select('username').where('role', '=', 'admin').where('username', '>', p('after')).orderBy('username').limit(p('limit')),
    );
    expect(await admins({ after: 'a', limit: 5 })).toEqual([{ username: 'dee' }, { username: 'eve' }]);
    expect(await admins({ after: 'dee', limit: 5 })).toEqual([{ username: 'eve' }]);
    expect(await admins({ after: 'a', limit: 1 })).toEqual([{ username: 'dee' }]);
  });

  it('a listing never reads the password hash', async () => {
    const users = createUserRepository(t.db);
    for (const row of await users.list(50)) expect(Object.keys(row).sort()).toEqual(['created_at', 'disabled_at', 'id', 'last_login_at', 'role', 'updated_at', 'username']);
  });

  it('a read while another write transaction is open answers at once with what is committed, then sees the commit', async () => {
    const users = createUserRepository(t.db);
    await users.insert(user('fay'));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inTransaction!: () => void;
    const started = new Promise<void>((r) => (inTransaction = r));
    const writing = t.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ role: 'admin' }).where('username', '=', 'fay').execute();
      await trx.insertInto('users').values(user('gus')).execute();
      inTransaction();
      await held;
    });
    await started;
    // Neither waits for the open transaction nor sees its uncommitted rows.
    expect((await users.findById('id-fay'))?.role).toBe('viewer');
    expect(await users.findById('id-gus')).toBeUndefined();
    release();
    await writing;
    expect((await users.findById('id-fay'))?.role).toBe('admin');
    expect((await users.list(50)).map((u) => u.username)).toContain('gus');
  });

  it('refuses a parameter that the query does not bind as a value', async () => {
    const q = precompiledQuery<{ id: string }, unknown>(t.db, (p) => {
      p('id');
      return t.db.selectFrom('users').selectAll();
    });
    await expect(q({ id: 'x' })).rejects.toThrow(/parameter 'id' is not bound/);
  });
});
