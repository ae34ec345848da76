import { type Compilable, type CompiledQuery, createQueryId, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { sqliteReaderOf } from './sqlite-reader.js';

/** A named parameter of a precompiled query: a placeholder object Kysely binds like any value. */
class Param {
  constructor(readonly name: string) {}
}

/**
 * A query built and compiled once, then run with new values. Kysely builds the operation tree and
 * compiles it to SQL on every call; on a hot read (the principal's user row, a listing) that was about
 * a tenth of a small API request's CPU. `build` receives `param(name)`, a placeholder to use wherever
 * the query takes a value; the returned function runs the same SQL with `values` bound in their places
 * (a fresh query id each time, as a query built anew would have).
 *
 * Only values can vary, not the query's shape: a query whose shape depends on its input (an optional
 * filter) needs one precompiled query per shape. A placeholder that Kysely did not bind as a parameter
 * (a value it inlines into the SQL) is refused when the query is compiled, not run with a wrong value.
 *
 * On a SQLite file the query runs on the read connection (sqlite-reader.ts): synchronously, on what
 * is committed. So only reads are precompiled.
 */
export function precompiledQuery<P extends Record<string, unknown>, O>(
  db: Kysely<Database>,
  build: (param: <K extends keyof P & string>(name: K) => P[K]) => Compilable<O>,
): (values: P) => Promise<O[]> {
  let compiled: { query: CompiledQuery<O>; bind: (values: P) => unknown[] } | null = null;
  const reader = sqliteReaderOf(db);
  return async (values) => {
    compiled ??= compile(build);
    const { query, bind } = compiled;
    if (reader) return reader.all(query.sql, bind(values)) as O[];
    const result = await db.executeQuery<O>({ query: query.query, sql: query.sql, parameters: bind(values), queryId: createQueryId() });
    return result.rows;
  };
}

function compile<P extends Record<string, unknown>, O>(build: (param: <K extends keyof P & string>(name: K) => P[K]) => Compilable<O>) {
  const made: Param[] = [];
  const query = build((name) => {
    const p = new Param(name);
    made.push(p);
    return p as never;
  }).compile();
  const unbound = made.filter((p) => !query.parameters.includes(p));
  if (unbound.length > 0) throw new Error(`precompiled query: parameter '${unbound[0]!.name}' is not bound as a value in: ${query.sql}`);
  const slots = query.parameters.map((v) => (v instanceof Param ? v.name : null));
  const constants = query.parameters;
  return {
    query,
    bind: (values: P): unknown[] => slots.map((name, i) => (name === null ? constants[i] : values[name])),
  };
}
