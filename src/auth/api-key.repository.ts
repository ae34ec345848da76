import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ApiKeyRow, NewApiKeyRow } from './api-key.table.js';

export function createApiKeyRepository(db: Kysely<Database>) {
  return {
    findByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    },
    findById(id: string): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Newest first; `after` is the id of the last key of the previous page (ids sort by creation). */
    list(limit: number, after?: string): Promise<ApiKeyRow[]> {
      let q = db.selectFrom('api_keys').selectAll().orderBy('id', 'desc').limit(limit);
      if (after !== undefined) q = q.where('id', '<', after);
      return q.execute();
    },
    async insert(row: NewApiKeyRow): Promise<void> {
      await db.insertInto('api_keys').values(row).execute();
    },
    async revoke(id: string, at: string): Promise<void> {
      await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async touch(id: string, at: string): Promise<void> {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
