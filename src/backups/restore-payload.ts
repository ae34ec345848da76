import { type Kysely, sql } from 'kysely';
import { rebuildLogCounts } from '../logs/log-counts.js';
import type { BackupHeader, TableSpec } from './backup-format.js';
import { InvalidBackupError, type ReadLimits, readPayload } from './payload-reader.js';
import { readCatalog, type TableInfo } from './table-catalog.js';
import { decodeValue, type EncodedValue } from './value-codec.js';

/** Why a sound backup cannot go into this database (newer schema, unknown tables or columns). */
export class IncompatibleBackupError extends Error {
  override name = 'IncompatibleBackupError';
}

const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;

/**
 * Refuses a backup this release cannot hold: one written by a newer schema (a migration we do not
 * know), or with a table or column our schema lacks. An older backup is accepted: its rows go into
 * today's tables, and columns added since take their defaults. Returns notes for the caller.
 */
export function checkCompatible(header: BackupHeader, knownMigrations: readonly string[], catalog: TableInfo[]): string[] {
  const known = new Set(knownMigrations);
  const unknown = header.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new IncompatibleBackupError(`the backup comes from a newer schema (${header.schema_version}; unknown migration ${unknown[0]}): upgrade MCPS.ONE before restoring it`);
  }
  const ours = new Map(catalog.map((t) => [t.name, t]));
  for (const t of header.tables) {
    const target = ours.get(t.name);
    if (!target) throw new IncompatibleBackupError(`the backup has a table this database lacks (${t.name}): not restorable here`);
    const missing = t.columns.find((c) => !target.columns.includes(c));
    if (missing) throw new IncompatibleBackupError(`the backup has a column this database lacks (${t.name}.${missing}): not restorable here`);
  }
  const notes: string[] = [];
  const latest = knownMigrations.at(-1) ?? null;
  if (header.schema_version !== latest) notes.push(`backup schema ${header.schema_version ?? '(empty)'} restored into schema ${latest ?? '(empty)'}`);
  return notes;
}

export interface RestoreResult {
  rowCounts: Record<string, number>;
  notes: string[];
}

/**
 * Replaces every row of every table with the backup's, in ONE transaction: delete children first,
 * insert parents first, count the logs' rows again, move PostgreSQL sequences past the restored ids.
 * The file is read (and checked, line by line) inside the transaction, so anything wrong - a bad
 * line, a constraint, a crash, a kill - rolls everything back: the database holds the old data or
 * the new, never a mix.
 * Other queries of this process wait for the transaction (SQLite) or for the table locks (PostgreSQL).
 */
export async function restorePayload(
  db: Kysely<any>,
  dialect: 'sqlite' | 'postgres',
  file: string,
  opts: { limits: ReadLimits; knownMigrations: readonly string[]; onStart?: () => void },
): Promise<RestoreResult> {
  return db.transaction().execute(async (trx) => {
    const catalog = await readCatalog(trx, dialect);
    const byName = new Map(catalog.map((t) => [t.name, t]));
    let notes: string[] = [];
    let rowCounts: Record<string, number> = {};
    for await (const ev of readPayload(file, opts.limits)) {
      if (ev.kind === 'header') {
        notes = checkCompatible(ev.header, opts.knownMigrations, catalog);
        opts.onStart?.();
        await emptyAll(trx, dialect, catalog);
      } else if (ev.kind === 'rows') {
        await insertRows(trx, dialect, ev.table, byName.get(ev.table.name)!, ev.rows);
      } else {
        rowCounts = ev.rowCounts;
      }
    }
    // Backups leave the logs' counts out (table-catalog.ts): counted again from the restored rows.
    await rebuildLogCounts(trx);
    if (dialect === 'postgres') await resetSequences(trx, catalog);
    else {
      const broken = await sql<{ table: string }>`pragma foreign_key_check`.execute(trx);
      if (broken.rows.length > 0) throw new InvalidBackupError(`the backup breaks a foreign key (table ${broken.rows[0]!.table}): nothing restored`);
    }
    return { rowCounts, notes };
  });
}

async function emptyAll(trx: Kysely<any>, dialect: 'sqlite' | 'postgres', catalog: TableInfo[]): Promise<void> {
  if (catalog.length === 0) return;
  if (dialect === 'postgres') {
    // One statement for all, so references between them never block it; rolled back with the rest.
    await sql.raw(`truncate table ${catalog.map((t) => ident(t.name)).join(', ')}`).execute(trx);
    return;
  }
  // Checked at commit (and by foreign_key_check above), so the order of inserts cannot trip them.
  await sql`pragma defer_foreign_keys = on`.execute(trx);
  for (const t of [...catalog].reverse()) await sql.raw(`delete from ${ident(t.name)}`).execute(trx);
}

async function insertRows(trx: Kysely<any>, dialect: 'sqlite' | 'postgres', spec: TableSpec, target: TableInfo, rows: EncodedValue[][]): Promise<void> {
  const types = spec.columns.map((c) => target.types[target.columns.indexOf(c)] ?? '');
  const perBatch = Math.max(1, Math.min(1000, Math.floor(30_000 / spec.columns.length)));
  const cols = sql.raw(spec.columns.map(ident).join(', '));
  for (let i = 0; i < rows.length; i += perBatch) {
    const values = rows.slice(i, i + perBatch).map((row) => sql`(${sql.join(row.map((v, j) => decodeValue(v, dialect, types[j]!)))})`);
    // PostgreSQL: ids come from the backup even for GENERATED ALWAYS identity columns.
    const overriding = sql.raw(dialect === 'postgres' ? ' overriding system value' : '');
    await sql`insert into ${sql.raw(ident(spec.name))} (${cols})${overriding} values ${sql.join(values)}`.execute(trx);
  }
}

async function resetSequences(trx: Kysely<any>, catalog: TableInfo[]): Promise<void> {
  for (const t of catalog) {
    for (const col of t.serialColumns) {
      await sql`select setval(pg_get_serial_sequence(${ident(t.name)}, ${col}), coalesce((select max(${sql.raw(ident(col))}) from ${sql.raw(ident(t.name))}), 0) + 1, false)`.execute(trx);
    }
  }
}
