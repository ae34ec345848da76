import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { NewServerRow, ServerRow, ServerUpdate } from './server.table.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createServersRepository(db: Kysely<Database>) {
  return {
    /** By id or by name (ids are UUIDs, names never are). */
    findByIdOrName(key: string): Promise<ServerRow | undefined> {
      return db
        .selectFrom('servers')
        .selectAll()
        .where(UUID.test(key) ? 'id' : 'name', '=', key)
        .executeTakeFirst();
    },
    findByName(name: string): Promise<ServerRow | undefined> {
      return db.selectFrom('servers').selectAll().where('name', '=', name).executeTakeFirst();
    },
    /** Ordered by name; `after` is the last name of the previous page. */
    list(limit: number, after?: string): Promise<ServerRow[]> {
      let q = db.selectFrom('servers').selectAll().orderBy('name').limit(limit);
      if (after !== undefined) q = q.where('name', '>', after);
      return q.execute();
    },
    all(): Promise<ServerRow[]> {
      return db.selectFrom('servers').selectAll().orderBy('name').execute();
    },
    async count(): Promise<number> {
      const r = await db.selectFrom('servers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async insert(row: NewServerRow): Promise<void> {
      await db.insertInto('servers').values(row).execute();
    },
    async update(id: string, patch: ServerUpdate): Promise<void> {
      await db.updateTable('servers').set(patch).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('servers').where('id', '=', id).execute();
    },
  };
}

export type ServersRepository = ReturnType<typeof createServersRepository>;
