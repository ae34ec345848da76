import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PG_URL } from '../../test/components.js';
import { needs } from '../../test/helpers/needs.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { connect, type DbHandle } from './connect.js';
import { migrateToLatest } from './migrator.js';

const open: { db: TestDatabase; h: DbHandle }[] = [];
afterEach(async () => {
  for (const { db, h } of open.splice(0)) {
    await h.close();
    await db.drop();
  }
});

describe.skipIf(!needs('postgres'))('installs sharing one PostgreSQL database in separate schemas', () => {
  it('migrate and start while another install drops its schema; see only their own tables', async () => {
    const db = await createTestDatabase('postgres');
    const h = connect(db.url);
    open.push({ db, h });
    const other = new pg.Client({ connectionString: process.env['TEST_DATABASE_URL'] ?? DEFAULT_PG_URL });
    await other.connect();
    let stop = false;
    // Another install (or test run) keeps creating and dropping its schema. Kysely's stock introspector
    // scanned every schema and failed here with `schema "..." does not exist` (84 of 2368 scans).
    const churn = (async () => {
      for (let i = 0; !stop; i++) {
        const schema = `churn_${process.pid}_${i}`;
        await other.query(`create schema ${schema}; create table ${schema}.t (id serial primary key, v text)`);
        await other.query(`drop schema ${schema} cascade`);
      }
    })();
    try {
      expect(await migrateToLatest(h.db)).toContain('001-foundation');
      for (let i = 0; i < 300; i++) await h.db.introspection.getTables({ withInternalKyselyTables: true });
      const names = (await h.db.introspection.getTables()).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['users', 'secrets', 'servers']));
      expect(names.some((n) => n === 't' || n.startsWith('kysely_'))).toBe(false);
      expect((await h.db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name)).toContain('kysely_migration');
    } finally {
      stop = true;
      await churn;
      await other.end();
    }
  });
});
