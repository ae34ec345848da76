import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import { sqlitePathOf } from '../config.js';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.js';
import type { Database } from './database.js';
import { importPg } from './pg-import.js';
import { openSqliteReader, registerSqliteReader } from './sqlite-reader.js';
import { withStatementCache } from './sqlite-statements.js';
import { TransactionalDdlSqliteDialect } from './transactional-sqlite-dialect.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DbHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** A printable form of the URL with any password removed. */
  display: string;
  close(): Promise<void>;
}

const sqliteFiles = new WeakMap<Kysely<Database>, string>();

/** The file of a SQLite database opened by `connect` (undefined for PostgreSQL and `:memory:`). */
export const sqliteFileOf = (db: Kysely<Database>): string | undefined => sqliteFiles.get(db);

/**
 * Opens a database from a URL: `sqlite:///path` (better-sqlite3, WAL, foreign keys, busy timeout) or
 * `postgres://` / `postgresql://` (pg pool). The same Kysely code and migrations run on both.
 */
export function connect(url: string, options: { poolSize?: number } = {}): DbHandle {
  if (url.startsWith('sqlite:')) {
    const file = sqlitePathOf(url);
    if (file !== ':memory:') makePrivate(file);
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const reader = file === ':memory:' ? undefined : openSqliteReader(file);
    const db = new Kysely<Database>({ dialect: new TransactionalDdlSqliteDialect({ database: withStatementCache(sqlite, reader) }) });
    if (reader) registerSqliteReader(db, reader);
    if (file !== ':memory:') sqliteFiles.set(db, file);
    return { db, dialect: 'sqlite', display: `sqlite:///${file}`, close: () => db.destroy() };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // The pool (and pg) is made when Kysely first connects.
    const pool = async () => {
      const pg = await importPg();
      const made = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
      // An idle client losing its connection must not crash the process; the pool replaces it.
      made.on('error', () => {});
      return made;
    };
    const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
    return { db, dialect: 'postgres', display: redactUrl(url), close: () => db.destroy() };
  }
  throw new Error(`unsupported DATABASE_URL scheme: ${redactUrl(url)}`);
}

/**
 * The database holds password and key hashes and MCP payloads: its folder is created 0700 and the file
 * 0600 (SQLite gives the -wal and -shm files the database's mode). Files left wider by older versions are
 * narrowed; an existing folder is left as it is (it may be shared, such as /tmp).
 */
function makePrivate(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (statSync(f).mode & 0o077) chmodSync(f, 0o600);
    } catch (err) {
      // Missing (no WAL yet) or not ours to change.
      if (!['ENOENT', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
