import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { NewPublicationRow, PublicationRow, PublicationUpdate } from './publication.table.js';

export function createPublicationsRepository(db: Kysely<Database>) {
  return {
    findById(id: string): Promise<PublicationRow | undefined> {
      return db.selectFrom('publications').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findByServer(serverId: string): Promise<PublicationRow | undefined> {
      return db.selectFrom('publications').selectAll().where('server_id', '=', serverId).executeTakeFirst();
    },
    /** Oldest first. */
    all(): Promise<PublicationRow[]> {
      return db.selectFrom('publications').selectAll().orderBy('created_at').orderBy('id').execute();
    },
    enabled(): Promise<PublicationRow[]> {
      return db.selectFrom('publications').selectAll().where('enabled', '=', 1).orderBy('created_at').execute();
    },
    async insert(row: NewPublicationRow): Promise<void> {
      await db.insertInto('publications').values(row).execute();
    },
    async update(id: string, patch: PublicationUpdate): Promise<void> {
      await db.updateTable('publications').set(patch).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('publications').where('id', '=', id).execute();
    },
  };
}

export type PublicationsRepository = ReturnType<typeof createPublicationsRepository>;
