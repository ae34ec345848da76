import { afterEach, describe, expect, it } from 'vitest';
import { needs } from '../../test/helpers/needs.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { connect, type DbHandle } from './connect.js';
import { currentSchemaVersion, migrateToLatest, migrationStatus, rollbackOne } from './migrator.js';
import { migrations } from './migrations/index.js';

const open: { db: TestDatabase; h: DbHandle }[] = [];
afterEach(async () => {
  for (const { db, h } of open.splice(0)) {
    await h.close();
    await db.drop();
  }
});

async function fresh(kind: 'sqlite' | 'postgres') {
  const db = await createTestDatabase(kind);
  const h = connect(db.url);
  open.push({ db, h });
  return h;
}

/** Tables of this database only (on PostgreSQL: of the connection's own schema). */
async function tables(h: DbHandle): Promise<string[]> {
  return (await h.db.introspection.getTables())
    .map((t) => t.name)
    .filter((n) => !n.startsWith('kysely_'));
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !needs('postgres'))(`migrations on ${kind}`, () => {
    it('migrate, status, rollback and migrate again', async () => {
      const h = await fresh(kind);
      const names = Object.keys(migrations);
      expect((await migrationStatus(h.db)).map((m) => [m.name, m.applied])).toEqual(names.map((n) => [n, false]));
      expect(await currentSchemaVersion(h.db)).toBeNull();

      expect(await migrateToLatest(h.db)).toEqual(names);
      expect((await migrationStatus(h.db)).every((m) => m.applied && m.executedAt)).toBe(true);
      expect(await tables(h)).toEqual(expect.arrayContaining(['users', 'api_keys', 'login_attempts', 'system_logs', 'operation_logs', 'mcp_logs']));
      expect(await migrateToLatest(h.db)).toEqual([]);

      expect(await rollbackOne(h.db)).toEqual([names.at(-1)]);
      expect((await migrationStatus(h.db)).at(-1)?.applied).toBe(false);
      if (names.length === 1) expect(await tables(h)).toEqual([]);

      expect(await migrateToLatest(h.db)).toEqual([names.at(-1)]);
      expect(await currentSchemaVersion(h.db)).toBe(names.at(-1));
    });

    it('enforces foreign keys (an API key needs its user)', async () => {
      const h = await fresh(kind);
      await migrateToLatest(h.db);
      const now = new Date().toISOString();
      await expect(
        h.db.insertInto('api_keys').values({ id: 'k1', name: 'x', prefix: 'mcps_x', key_hash: 'h', role: 'viewer', user_id: 'nobody', expires_at: null, revoked_at: null, last_used_at: null, created_at: now }).execute(),
      ).rejects.toThrow();
    });
  });
}
