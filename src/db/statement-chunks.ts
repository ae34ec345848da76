/**
 * Slices of a multi-row statement's rows. PostgreSQL: up to `max` rows each. SQLite: sizes that are
 * powers of two (largest first, at most `max`), so the few statement texts stay in the prepared
 * statement cache (connect.ts): a 50-row body batch had a new row count, so a new 850-parameter
 * statement to prepare, about once in four batches.
 */
export function statementChunks<T>(rows: readonly T[], pg: boolean, max = 512): T[][] {
  const out: T[][] = [];
  let cap = pg ? max : 2 ** Math.floor(Math.log2(max));
  for (let i = 0; i < rows.length;) {
    const left = rows.length - i;
    while (!pg && cap > left) cap /= 2;
    const n = Math.min(cap, left);
    out.push(rows.slice(i, i + n));
    i += n;
  }
  return out;
}
