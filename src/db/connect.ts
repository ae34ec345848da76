import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import { sqlitePathOf } from '../config.js';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.js';
import type { Database } from './database.js';
import { importPg } from './pg-import.js';
import { openSqliteReader, registerSqliteReader, type SqliteReader } from './sqlite-reader.js';
import { TransactionalDdlSqliteDialect } from './transactional-sqlite-dialect.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DbHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** A printable form of the URL with any password removed. */
  display: string;
  close(): Promise<void>;
}

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

/**
 * Kysely prepares every query anew; compiling the SQL was a tenth of a small API request. Prepared
 * statements are reusable in better-sqlite3 (calls are synchronous), so keep the most recent ones.
 *
 * Kysely opens transactions with a deferred `begin`: two processes on one file (the CLI or
 * `mcps log-service` while the platform serves) that both read and then write would deadlock, and
 * SQLite fails one at once with SQLITE_BUSY instead of waiting. Transactions here write, so they take
 * the write lock up front (`begin immediate`) and wait for it up to the busy timeout.
 * Closing it (Kysely's `destroy`) closes the read connection too (sqlite-reader.ts).
 */
function withStatementCache(sqlite: SqliteDatabase.Database, reader: SqliteReader | undefined, max = 500) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(text: string): SqliteDatabase.Statement {
      const sql = /^begin$/i.test(text) ? 'begin immediate' : text;
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close(): void {
      cache.clear();
      reader?.close();
      sqlite.close();
    },
  };
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
