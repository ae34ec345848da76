import SqliteDatabase from 'better-sqlite3';
import { CHUNK_CHARS, type RowChunk, type SnapshotSource } from './snapshot-source.js';
import type { TableInfo } from './table-catalog.js';
import { encodeValue } from './value-codec.js';

const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;

/**
 * A SQLite snapshot: its own read-only connection holding one read transaction. On a WAL database
 * that transaction sees a single instant (the guarantee VACUUM INTO and the online backup API give,
 * without copying the file first) while the platform's connection keeps writing. Reads are
 * synchronous: call this inside a worker thread (see sqlite-backup.worker.ts).
 */
export function openSqliteSnapshot(file: string, tables: TableInfo[]): SnapshotSource {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  db.exec('begin');
  let migrations: string[] = [];
  try {
    migrations = db.prepare('select name from kysely_migration order by name').pluck().all() as string[];
  } catch {
    // not migrated yet; the first read below still starts the snapshot
    db.prepare('select 1 from sqlite_master limit 1').get();
  }
  return {
    dialect: 'sqlite',
    migrations,
    tables,
    async *chunks(table: TableInfo): AsyncIterable<RowChunk> {
      const stmt = db.prepare(`select ${table.columns.map(ident).join(', ')} from ${ident(table.name)}`).raw(true);
      let text = '';
      let rows = 0;
      for (const row of stmt.iterate() as Iterable<unknown[]>) {
        text += JSON.stringify(isPlain(row) ? row : row.map(encodeValue)) + '\n';
        rows++;
        if (text.length >= CHUNK_CHARS) {
          yield { text, rows };
          text = '';
          rows = 0;
        }
      }
      if (rows > 0) yield { text, rows };
    },
    async close() {
      db.exec('commit');
      db.close();
    },
  };
}

/** Text, finite numbers and nulls only: JSON.stringify writes them as they are. */
function isPlain(row: unknown[]): boolean {
  for (const v of row) {
    if (v !== null && typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v))) return false;
  }
  return true;
}
