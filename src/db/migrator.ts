import { type Kysely, type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Database } from './database.js';
import { isPostgres } from './migrations/dialect-helpers.js';
import { migrations } from './migrations/index.js';

export interface MigrationStatus {
  name: string;
  applied: boolean;
  executedAt: string | null;
}

/**
 * On PostgreSQL the migration tables live in the connection's current schema (the first of its
 * search_path), so several installs can share one database in separate schemas.
 */
async function migratorFor(db: Kysely<Database>): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (isPostgres(db)) {
    const r = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = r.rows[0]?.schema;
  }
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
}

/**
 * Applies pending migrations; throws with the failing migration's name (a broken schema is a bug).
 * Several processes may run it at once: each migration is applied once, by whichever process holds
 * the lock (PostgreSQL: Kysely's advisory lock; SQLite: the write lock of one `begin immediate`
 * transaction, see transactional-sqlite-dialect.ts); the others wait, then find nothing pending.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return applied(await whileLocked(async () => (await migratorFor(db)).migrateToLatest()));
}

/** Reverts the last applied migration (Alembic's `downgrade -1`). */
export async function rollbackOne(db: Kysely<Database>): Promise<string[]> {
  return applied(await whileLocked(async () => (await migratorFor(db)).migrateDown()));
}

/** How long a migration pass waits for another process's pass on the same SQLite file. */
const LOCK_WAIT_MS = 10 * 60_000;

/**
 * SQLite's busy timeout (5 s, connect.ts) is shorter than a migration of a large database: a pass
 * that found the file locked by another process's migration tries again (nothing of it was applied:
 * its transaction never began), until that one is done.
 */
async function whileLocked(run: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const result = await run();
    const code = (result.error as { code?: unknown } | undefined)?.code;
    if (code !== 'SQLITE_BUSY' || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function migrationStatus(db: Kysely<Database>): Promise<MigrationStatus[]> {
  const list = await (await migratorFor(db)).getMigrations();
  return list.map((m) => ({
    name: m.name,
    applied: m.executedAt !== undefined,
    executedAt: m.executedAt ? m.executedAt.toISOString() : null,
  }));
}

/**
 * Name of the newest applied migration, or null on an empty database. A plain read of Kysely's
 * migration table (cheap enough for health checks; never creates anything).
 */
export async function currentSchemaVersion(db: Kysely<Database>): Promise<string | null> {
  try {
    const r = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db);
    return r.rows[0]?.name ?? null;
  } catch {
    return null;
  }
}

function applied(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
