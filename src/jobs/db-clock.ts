import { type Kysely, type RawBuilder, sql } from 'kysely';
import { isPostgres } from '../db/migrations/dialect-helpers.js';

/**
 * "Now" in epoch milliseconds from the database's clock, inside the statement (as leases.repository.ts
 * does): instances on several hosts compare leases against one clock.
 */
export function dbNowMs(db: Kysely<any>): RawBuilder<number> {
  return isPostgres(db)
    ? sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000.0 as integer)`;
}
