import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { connect, type DbHandle } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

/**
 * A fresh database at the latest migration for one test file (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL): made before its tests, closed and dropped after. Read `db` inside tests.
 */
export function useMigratedDatabase(): { readonly db: Kysely<any> } {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    handle = connect(database.url);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });
  return {
    get db() {
      if (!handle) throw new Error('useMigratedDatabase: the database is only open inside tests');
      return handle.db;
    },
  };
}
