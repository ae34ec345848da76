import type pg from 'pg';

let loading: Promise<typeof pg> | null = null;

/**
 * pg, imported on first use: an install on SQLite never loads it. int8 (bigint, bigserial, count(*))
 * is read as a JS number: ids and counts here stay far below 2^53.
 */
export function importPg(): Promise<typeof pg> {
  loading ??= import('pg').then(({ default: pg }) => {
    pg.types.setTypeParser(20, (v) => Number(v));
    return pg;
  });
  return loading;
}
