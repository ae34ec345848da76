import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { precompiledQuery } from '../db/precompiled-query.js';
import type { Role } from './roles.js';
import type { ListedUserRow, NewUserRow, UserRow, UserUpdate } from './user.table.js';

/** What a listing shows of a user: no password hash or generation. */
const LISTED = ['id', 'username', 'role', 'disabled_at', 'last_login_at', 'created_at', 'updated_at'] as const;

export function createUserRepository(db: Kysely<Database>) {
  // Read on every request (the principal's row) or every listing: built and compiled once.
  const byId = precompiledQuery<{ id: string }, UserRow>(db, (p) => db.selectFrom('users').selectAll().where('id', '=', p('id')));
  const firstPage = precompiledQuery<{ limit: number }, ListedUserRow>(db, (p) => db.selectFrom('users').select(LISTED).orderBy('username').limit(p('limit')));
  const nextPage = precompiledQuery<{ limit: number; after: string }, ListedUserRow>(db, (p) =>
    db.selectFrom('users').select(LISTED).where('username', '>', p('after')).orderBy('username').limit(p('limit')),
  );
  const countAll = precompiledQuery<Record<string, never>, { n: number | string | bigint }>(db, () => db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')));
  /** Told after a user row changes or goes (the API key cache forgets that user's keys). */
  const listeners = new Set<(userId: string) => void>();
  const changed = (id: string) => {
    for (const listener of listeners) listener(id);
  };
  return {
    /** Calls `listener` with the user's id after each update or delete through this repository. */
    onWrite(listener: (userId: string) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async findById(id: string): Promise<UserRow | undefined> {
      return (await byId({ id }))[0];
    },
    findByUsername(username: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    },
    /** Ordered by username; `after` is the last username of the previous page. */
    list(limit: number, after?: string): Promise<ListedUserRow[]> {
      return after === undefined ? firstPage({ limit }) : nextPage({ limit, after });
    },
    async count(): Promise<number> {
      return Number((await countAll({}))[0]!.n);
    },
    async countActiveAdmins(): Promise<number> {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin' satisfies Role)
        .where('disabled_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async insert(row: NewUserRow): Promise<void> {
      await db.insertInto('users').values(row).execute();
    },
    async update(id: string, patch: UserUpdate): Promise<void> {
      await db.updateTable('users').set(patch).where('id', '=', id).execute();
      changed(id);
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).execute();
      changed(id);
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
