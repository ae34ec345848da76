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
    /**
     * Failed attempts for a username since an instant, counted after the last success, with the
     * latest one's time. With `ip`: from that address only (attempts refused while locked included,
     * so the lockout grows); without: from every address, refused attempts left out (one address
     * hammering its own lockout does not lock the account).
     */
    async failures(username: string, since: string, ip?: string): Promise<{ count: number; last: string | null }> {
      let lastSuccessQ = db.selectFrom('login_attempts').select('created_at').where('username', '=', username).where('succeeded', '=', 1).where('created_at', '>=', since);
      if (ip !== undefined) lastSuccessQ = lastSuccessQ.where('ip', '=', ip);
      const lastSuccess = await lastSuccessQ.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
      const from = lastSuccess && lastSuccess.created_at > since ? lastSuccess.created_at : since;
      let q = db
        .selectFrom('login_attempts')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('last')])
        .where('username', '=', username)
        .where('succeeded', '=', 0)
        .where('created_at', '>', from);
      q = ip !== undefined ? q.where('ip', '=', ip) : q.where('reason', '!=', 'locked');
      const r = await q.executeTakeFirstOrThrow();
      return { count: Number(r.n), last: r.last ?? null };
    },
    /** Whether `username` logged in successfully from `ip` since an instant (a known-good address). */
    async succeededFrom(username: string, ip: string, since: string): Promise<boolean> {
      const row = await db
        .selectFrom('login_attempts')
        .select('id')
        .where('username', '=', username)
        .where('ip', '=', ip)
        .where('succeeded', '=', 1)
        .where('created_at', '>=', since)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type LoginAttemptRepository = ReturnType<typeof createLoginAttemptRepository>;
