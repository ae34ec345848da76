import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';

export function createLoginAttemptRepository(db: Kysely<Database>) {
  return {
    async record(a: { username: string; ip: string; succeeded: boolean; reason: string | null; at: string }): Promise<void> {
      await db
        .insertInto('login_attempts')
        .values({ username: a.username, ip: a.ip, succeeded: a.succeeded ? 1 : 0, reason: a.reason, created_at: a.at })
        .execute();
    },
    /** Failed attempts for a username since an instant, stopping at the last success. */
    async recentFailures(username: string, since: string): Promise<number> {
      const lastSuccess = await db
        .selectFrom('login_attempts')
        .select('created_at')
        .where('username', '=', username)
        .where('succeeded', '=', 1)
        .where('created_at', '>=', since)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const from = lastSuccess && lastSuccess.created_at > since ? lastSuccess.created_at : since;
      const r = await db
        .selectFrom('login_attempts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('username', '=', username)
        .where('succeeded', '=', 0)
        .where('created_at', '>', from)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type LoginAttemptRepository = ReturnType<typeof createLoginAttemptRepository>;
