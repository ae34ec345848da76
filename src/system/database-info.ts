import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/database.js';
import { currentSchemaVersion } from '../db/migrator.js';

export interface DatabaseInfo {
  kind: Dialect;
  /** Server (PostgreSQL) or library (SQLite) version. */
  version: string | null;
  /** The URL without its password. */
  url: string;
  size_bytes: number | null;
  schema_version: string | null;
}

/** What the database is, and how big. Null fields when a query is not permitted or fails. */
export async function databaseInfo(db: Kysely<Database>, dialect: Dialect, url: string): Promise<DatabaseInfo> {
  const first = async <T>(q: Promise<{ rows: T[] }>): Promise<T | null> => {
    try {
      return (await q).rows[0] ?? null;
    } catch {
      return null;
    }
  };
  let version: string | null;
  let size: number | null;
  if (dialect === 'sqlite') {
    version = (await first(sql<{ v: string }>`select sqlite_version() as v`.execute(db)))?.v ?? null;
    const pages = await first(sql<{ n: number }>`select page_count * page_size as n from pragma_page_count(), pragma_page_size()`.execute(db));
    size = pages ? Number(pages.n) : null;
  } else {
    version = (await first(sql<{ server_version: string }>`show server_version`.execute(db)))?.server_version ?? null;
    const s = await first(sql<{ n: string | number }>`select pg_database_size(current_database()) as n`.execute(db));
    size = s ? Number(s.n) : null;
  }
  return { kind: dialect, version, url, size_bytes: size, schema_version: await currentSchemaVersion(db) };
}
