import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Role } from './roles.js';
import type { NewUserRow, UserRow, UserUpdate } from './user.table.js';

export function createUserRepository(db: Kysely<Database>) {
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
    findById(id: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findByUsername(username: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    },
    /** Ordered by username; `after` is the last username of the previous page. */
    list(limit: number, after?: string): Promise<UserRow[]> {
      let q = db.selectFrom('users').selectAll().orderBy('username').limit(limit);
      if (after !== undefined) q = q.where('username', '>', after);
      return q.execute();
    },
    async count(): Promise<number> {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
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
