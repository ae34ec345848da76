import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_PG_URL } from '../components.js';

export interface TestDatabase {
  url: string;
  kind: 'sqlite' | 'postgres';
  drop(): Promise<void>;
}

/** The database the suite runs against: TEST_DATABASE_URL (PostgreSQL) or a fresh SQLite file. */
export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env['TEST_DATABASE_URL']?.startsWith('postgres') ? 'postgres' : 'sqlite';
}

export async function createTestDatabase(kind: 'sqlite' | 'postgres' = testDatabaseKind()): Promise<TestDatabase> {
  if (kind === 'postgres') return createPostgresSchema(process.env['TEST_DATABASE_URL'] ?? DEFAULT_PG_URL);
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-db-'));
  return {
    url: `sqlite:///${path.join(dir, 'test.db')}`,
    kind: 'sqlite',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Each test database is its own schema in the shared PostgreSQL database, selected by search_path. */
async function createPostgresSchema(baseUrl: string): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    kind: 'postgres',
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}
