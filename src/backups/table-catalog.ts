import { type Kysely, sql } from 'kysely';

export interface TableInfo {
  name: string;
  columns: string[];
  /** Declared types, lower case, in column order. */
  types: string[];
  /** Columns fed by a PostgreSQL sequence (serial / identity), whose sequence a restore moves on. */
  serialColumns: string[];
}

/**
 * Kysely's own bookkeeping: the schema version belongs to the code, never to a backup's rows. And
 * `leases` and `instances`: which running instance does what (src/leases/) and where it is
 * (src/cluster/) belong to those instances; a restore must neither bring back a dead instance's rows
 * nor drop the live ones'. And `log_counts`, counts of the logs' rows (src/logs/log-counts.ts): a
 * restore counts the restored rows again, so backups of any release (with or without it) agree.
 */
const EXCLUDED = new Set(['kysely_migration', 'kysely_migration_lock', 'leases', 'instances', 'log_counts']);

/**
 * Every application table of the connection's database (PostgreSQL: its current schema), parents
 * before children so rows can be inserted in this order and deleted in the reverse one.
 */
export async function readCatalog(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<TableInfo[]> {
  const { tables, refs } = dialect === 'sqlite' ? await readSqlite(db) : await readPostgres(db);
  return orderByForeignKeys(tables, refs);
}

async function readSqlite(db: Kysely<any>) {
  const names = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
  const tables: TableInfo[] = [];
  const refs = new Map<string, Set<string>>();
  for (const { name } of names.rows) {
    if (EXCLUDED.has(name)) continue;
    const cols = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name}) order by cid`.execute(db);
    const fks = await sql<{ ref: string }>`select "table" as ref from pragma_foreign_key_list(${name})`.execute(db);
    tables.push({ name, columns: cols.rows.map((c) => c.name), types: cols.rows.map((c) => c.type.toLowerCase()), serialColumns: [] });
    refs.set(name, new Set(fks.rows.map((f) => f.ref)));
  }
  return { tables, refs };
}

async function readPostgres(db: Kysely<any>) {
  const cols = await sql<{ table_name: string; column_name: string; data_type: string; column_default: string | null; is_identity: string }>`
    select c.table_name, c.column_name, c.data_type, c.column_default, c.is_identity
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  const byName = new Map<string, TableInfo>();
  for (const c of cols.rows) {
    if (EXCLUDED.has(c.table_name)) continue;
    let t = byName.get(c.table_name);
    if (!t) byName.set(c.table_name, (t = { name: c.table_name, columns: [], types: [], serialColumns: [] }));
    t.columns.push(c.column_name);
    t.types.push(c.data_type.toLowerCase());
    if (c.column_default?.startsWith('nextval(') || c.is_identity === 'YES') t.serialColumns.push(c.column_name);
  }
  const fks = await sql<{ child: string; parent: string }>`
    select ch.relname as child, pa.relname as parent
    from pg_constraint k
    join pg_class ch on ch.oid = k.conrelid
    join pg_class pa on pa.oid = k.confrelid
    where k.contype = 'f' and k.connamespace = current_schema()::regnamespace`.execute(db);
  const refs = new Map<string, Set<string>>();
  for (const f of fks.rows) {
    if (!refs.has(f.child)) refs.set(f.child, new Set());
    refs.get(f.child)!.add(f.parent);
  }
  return { tables: [...byName.values()], refs };
}

/** Topological order (parents first), alphabetical among equals; tables in a cycle come last. */
export function orderByForeignKeys(tables: TableInfo[], refs: Map<string, Set<string>>): TableInfo[] {
  const pending = new Map(tables.map((t) => [t.name, t]));
  const out: TableInfo[] = [];
  while (pending.size > 0) {
    const ready = [...pending.values()]
      .filter((t) => [...(refs.get(t.name) ?? [])].every((p) => p === t.name || !pending.has(p)))
      .sort((a, b) => a.name.localeCompare(b.name));
    const next = ready.length > 0 ? ready : [...pending.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const t of next) {
      out.push(t);
      pending.delete(t.name);
    }
  }
  return out;
}

/** Applied migrations, oldest first (empty before the first migration). */
export async function readMigrations(db: Kysely<any>): Promise<string[]> {
  try {
    const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    return r.rows.map((x) => x.name);
  } catch {
    return [];
  }
}
