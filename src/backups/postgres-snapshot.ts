import { type Kysely, sql } from 'kysely';
import { CHUNK_CHARS, type RowChunk, type SnapshotSource } from './snapshot-source.js';
import { readCatalog, readMigrations, type TableInfo } from './table-catalog.js';
import { encodeValue } from './value-codec.js';

/** Advisory lock key of backup runs ("mcps.backup"), so only one instance runs a scheduled backup. */
const BACKUP_LOCK_KEY = 0x6d637073;
const FETCH_ROWS = 2000;

const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;

/**
 * A PostgreSQL snapshot: one connection in one REPEATABLE READ, READ ONLY transaction, so every table
 * is read as of the same instant while others keep writing; rows stream through a server-side
 * cursor. With `exclusive`, returns null when another instance holds the backup lock.
 */
export async function openPostgresSnapshot(db: Kysely<any>, options: { exclusive?: boolean } = {}): Promise<SnapshotSource | null> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let bound!: (c: Kysely<any>) => void;
  const connection = new Promise<Kysely<any>>((r) => (bound = r));
  const held = db.connection().execute(async (c) => {
    bound(c);
    await released;
  });
  held.catch(() => {});
  const c = await Promise.race([connection, held.then(() => { throw new Error('postgres snapshot: no connection'); })]);

  const end = async (how: 'commit' | 'rollback') => {
    try {
      await sql.raw(how).execute(c);
    } finally {
      release();
      await held.catch(() => {});
    }
  };

  try {
    await sql`begin isolation level repeatable read read only`.execute(c);
    if (options.exclusive) {
      // Advisory locks are server-wide: keyed by this database and schema too, so a platform on another database or
      // schema (search_path) of the same server never skips its backup because of this one.
      const r = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${BACKUP_LOCK_KEY}, hashtext(current_database() || '.' || current_schema())) as ok`.execute(c);
      if (!r.rows[0]?.ok) {
        await end('rollback');
        return null;
      }
    }
    const migrations = await readMigrations(c);
    const tables = await readCatalog(c, 'postgres');
    let n = 0;
    return {
      dialect: 'postgres',
      migrations,
      tables,
      async *chunks(table: TableInfo): AsyncIterable<RowChunk> {
        const cursor = `mcps_backup_${++n}`;
        await sql.raw(`declare ${cursor} no scroll cursor for select ${table.columns.map(ident).join(', ')} from ${ident(table.name)}`).execute(c);
        let text = '';
        let rows = 0;
        for (;;) {
          const r = await sql.raw<Record<string, unknown>>(`fetch forward ${FETCH_ROWS} from ${cursor}`).execute(c);
          for (const row of r.rows) {
            text += JSON.stringify(table.columns.map((col) => encodeValue(row[col]))) + '\n';
            rows++;
          }
          if (text.length >= CHUNK_CHARS || (r.rows.length < FETCH_ROWS && rows > 0)) {
            yield { text, rows };
            text = '';
            rows = 0;
          }
          if (r.rows.length < FETCH_ROWS) break;
        }
        await sql.raw(`close ${cursor}`).execute(c);
      },
      close: () => end('commit'),
    };
  } catch (err) {
    await end('rollback').catch(() => {});
    throw err;
  }
}
