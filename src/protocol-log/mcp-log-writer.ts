import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { withStatementCache } from '../db/sqlite-statements.js';
import { TransactionalDdlSqliteDialect } from '../db/transactional-sqlite-dialect.js';
import type { NewMcpLogRow } from './mcp-log.table.js';
import { createTrafficRepository, type TrafficRepository } from './protocol-log.repository.js';

/**
 * A writer waits this long for SQLite's write lock (a restore or a long transaction of the platform's
 * own connection): it blocks only this thread, and the recorder buffers meanwhile.
 */
const BUSY_TIMEOUT_MS = 60_000;

const writers = new Map<string, { db: Kysely<Database>; repo: TrafficRepository }>();

/**
 * The protocol log's writer thread (protocol-log.ts runs it through lib/worker-call.ts for a SQLite
 * file): each batch is written by the repository's own insert, in one transaction, on a connection
 * of this thread's, so that SQLite's work (the inserts, their indexes, the commit's WAL writes) is
 * off the event loop that forwards MCP traffic.
 */
export async function insertBatch(file: string, rows: NewMcpLogRow[]): Promise<void> {
  let writer = writers.get(file);
  if (!writer) {
    const sqlite = new SqliteDatabase(file, { fileMustExist: true });
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('synchronous = NORMAL');
    const db = new Kysely<Database>({ dialect: new TransactionalDdlSqliteDialect({ database: withStatementCache(sqlite) }) });
    writer = { db, repo: createTrafficRepository(db) };
    writers.set(file, writer);
  }
  await writer.repo.insertBatch(rows);
}

/** Closes this thread's connections (before the thread ends). */
export async function closeWriters(): Promise<void> {
  const open = [...writers.values()];
  writers.clear();
  await Promise.all(open.map((w) => w.db.destroy()));
}
