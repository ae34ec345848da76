import type SqliteDatabase from 'better-sqlite3';
import type { SqliteReader } from './sqlite-reader.js';

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
export function withStatementCache(sqlite: SqliteDatabase.Database, reader?: SqliteReader, max = 500) {
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
