import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { CrashPlatform } from './crash-platform.js';

/**
 * The database's own integrity check, run while the platform is down after a kill -9. SQLite:
 * `PRAGMA integrity_check` (pages, indexes, constraints) and `PRAGMA foreign_key_check`. PostgreSQL
 * checks constraints as it writes, so what a crash could break is what it does not hold by itself:
 * every foreign key and unique constraint is checked again by a query over the rows (an orphan or a
 * duplicate would mean a constraint was bypassed), and every index is read through (`count(*)` by
 * index-only and sequential plans must agree). Returns the failures, one line each (none: []).
 */
export async function integrityFailures(p: CrashPlatform): Promise<string[]> {
  return p.database.kind === 'postgres' ? postgresFailures(p.database.url) : sqliteFailures(p.dbUrl.replace(/^sqlite:\/\//, ''));
}

function sqliteFailures(file: string): string[] {
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const out = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    for (const fk of db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]) out.push(`foreign key: ${fk.table} row ${fk.rowid} -> ${fk.parent}`);
    return out;
  } finally {
    db.close();
  }
}

async function postgresFailures(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: string[] = [];
    const cons = await c.query<{ table: string; kind: string; name: string; def: string; cols: string[]; ftable: string | null; fcols: string[] | null }>(`
      select cl.relname as table, co.contype as kind, co.conname as name, pg_get_constraintdef(co.oid) as def,
        array(select a.attname from unnest(co.conkey) k join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k)::text[] as cols,
        fcl.relname as ftable,
        array(select a.attname from unnest(co.confkey) k join pg_attribute a on a.attrelid = co.confrelid and a.attnum = k)::text[] as fcols
      from pg_constraint co join pg_class cl on cl.oid = co.conrelid
      left join pg_class fcl on fcl.oid = co.confrelid
      where cl.relnamespace = current_schema()::regnamespace and co.contype in ('f', 'u', 'p')`);
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    for (const k of cons.rows) {
      if (k.kind === 'f') {
        const on = k.cols.map((col, i) => `f.${q(k.fcols![i]!)} = t.${q(col)}`).join(' and ');
        const notNull = k.cols.map((col) => `t.${q(col)} is not null`).join(' and ');
        const { rows } = await c.query<{ n: number }>(`select count(*)::int as n from ${q(k.table)} t where ${notNull} and not exists (select 1 from ${q(k.ftable!)} f where ${on})`);
        if (rows[0]!.n > 0) out.push(`foreign key ${k.name}: ${rows[0]!.n} orphan row(s) in ${k.table}`);
      } else {
        const cols = k.cols.map(q).join(', ');
        const { rows } = await c.query<{ n: number }>(`select count(*)::int as n from (select 1 from ${q(k.table)} where ${k.cols.map((col) => `${q(col)} is not null`).join(' and ')} group by ${cols} having count(*) > 1) d`);
        if (rows[0]!.n > 0) out.push(`${k.kind === 'p' ? 'primary key' : 'unique'} ${k.name}: ${rows[0]!.n} duplicated key(s) in ${k.table}`);
      }
    }
    const tables = await c.query<{ t: string }>(`select relname as t from pg_class where relnamespace = current_schema()::regnamespace and relkind = 'r'`);
    for (const { t } of tables.rows) {
      // Every row read by a sequential scan and by the primary key index: a torn index would differ.
      await c.query('set enable_indexscan = off; set enable_bitmapscan = off; set enable_indexonlyscan = off');
      const seq = (await c.query<{ n: number }>(`select count(*)::int as n from ${q(t)}`)).rows[0]!.n;
      await c.query('reset enable_indexscan; reset enable_bitmapscan; reset enable_indexonlyscan; set enable_seqscan = off');
      const idx = (await c.query<{ n: number }>(`select count(*)::int as n from ${q(t)}`)).rows[0]!.n;
      await c.query('reset enable_seqscan');
      if (seq !== idx) out.push(`${t}: ${seq} rows by a sequential scan, ${idx} through its indexes`);
    }
    return out;
  } finally {
    await c.end();
  }
}
