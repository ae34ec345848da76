import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { isPostgres } from '../db/migrations/dialect-helpers.js';

/** The outcome of an attempt: held (by us, now), or the instance that holds it (null if it vanished meanwhile). */
export type AcquireResult = { acquired: true } | { acquired: false; holder: string | null };

/**
 * Leases on the shared database. "Now" is always the database's clock, in epoch milliseconds, in the
 * statement itself: instances on one PostgreSQL may run on hosts whose clocks disagree by seconds,
 * and a lease compared against two clocks could look expired to one instance while the other still
 * holds it. With one clock, "expired" means the same thing to every instance. (SQLite files are
 * shared by processes of one machine: its clock is the database's.) The holder's own idea of how long
 * it may keep going is measured on its monotonic clock, from before it asked (see lease-keeper.ts).
 */
export function createLeasesRepository(db: Kysely<Database>) {
  const nowMs: RawBuilder<number> = isPostgres(db)
    ? sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000.0 as integer)`;
  const until = (ttlMs: number) => sql<number>`(${nowMs} + ${Math.round(ttlMs)})`;

  const holderOf = async (name: string): Promise<string | null> => {
    const row = await db.selectFrom('leases').select('holder').where('name', '=', name).where('expires_at', '>', nowMs).executeTakeFirst();
    return row?.holder ?? null;
  };

  return {
    /**
     * Takes the lease if nobody holds it, it expired, or it is already ours (then extends it). One
     * statement — an insert whose conflict update is conditional — so of several instances trying at
     * once exactly one wins: the database serializes them on the row, and the condition is evaluated
     * against the row as the winner left it.
     */
    async tryAcquire(name: string, holder: string, ttlMs: number): Promise<AcquireResult> {
      const won = await db
        .insertInto('leases')
        .values({ name, holder, acquired_at: nowMs, expires_at: until(ttlMs) })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({
              holder: sql`excluded.holder`,
              acquired_at: sql`case when leases.holder = excluded.holder then leases.acquired_at else excluded.acquired_at end`,
              expires_at: sql`excluded.expires_at`,
            })
            .where(sql<boolean>`leases.expires_at <= ${nowMs} or leases.holder = excluded.holder`),
        )
        .returning('holder')
        .executeTakeFirst();
      if (won) return { acquired: true };
      return { acquired: false, holder: await holderOf(name) };
    },

    /** Extends our lease; false when it is no longer ours (taken over after it expired, or released). */
    async renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
      const r = await db.updateTable('leases').set({ expires_at: until(ttlMs) }).where('name', '=', name).where('holder', '=', holder).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Gives the lease up at once (if it is ours), so a standby can take it without waiting for expiry. */
    async release(name: string, holder: string): Promise<void> {
      await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
    },

    /** The instance holding an unexpired lease, or null. */
    holderOf,
  };
}

export type LeasesRepository = ReturnType<typeof createLeasesRepository>;
