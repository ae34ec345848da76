import SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/** Runs a read-only statement synchronously on SQLite's read connection. */
export interface SqliteReader {
  all(sql: string, parameters: readonly unknown[]): unknown[];
  close(): void;
}

const readers = new WeakMap<Kysely<Database>, SqliteReader>();

/**
 * A second, read-only connection to a SQLite file in WAL mode, for the hottest reads (the principal's
 * user row and the user listing on every such request). Through Kysely each query waits its turn for
 * the one read-write connection and takes several promise turns; this connection answers at once, on
 * the caller's turn: a fifth of a small API request's CPU. It reads what is committed, never the
 * main connection's open transaction (a query through Kysely would wait for that transaction to
 * end instead). Statements are prepared once per SQL text.
 */
export function openSqliteReader(file: string): SqliteReader {
  const sqlite = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    all(sql, parameters) {
      let stmt = statements.get(sql);
      if (!stmt) statements.set(sql, (stmt = sqlite.prepare(sql)));
      return stmt.all(...parameters);
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

export function registerSqliteReader(db: Kysely<Database>, reader: SqliteReader): void {
  readers.set(db, reader);
}

/** The read connection of a SQLite database opened by `connect`, if it has one (not PostgreSQL, not `:memory:`). */
export function sqliteReaderOf(db: Kysely<Database>): SqliteReader | undefined {
  return readers.get(db);
}
