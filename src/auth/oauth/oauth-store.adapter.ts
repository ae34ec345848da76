import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

const PRUNE_EVERY = 500;

type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

/**
 * oidc-provider's storage adapter over the `oauth_store` table (SQLite and PostgreSQL alike). One
 * adapter per model (Client, Grant, AuthorizationCode, AccessToken, RefreshToken, Session, Interaction...).
 * Expired rows are not returned; `consume` marks a code or refresh token used, which is how a replayed
 * code or a reused refresh token is recognised (the provider then revokes the whole grant).
 */
export function oauthStoreAdapter(db: Kysely<Database>, now: () => number = Date.now) {
  // Expired rows are deleted along the way: once every PRUNE_EVERY writes (no timer to stop).
  let writes = 0;
  return class KyselyAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresIn ? now() + expiresIn * 1000 : null,
        consumed_at: null,
      };
      await db
        .insertInto('oauth_store')
        .values(row)
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({ payload: row.payload, grant_id: row.grant_id, user_code: row.user_code, uid: row.uid, expires_at: row.expires_at }))
        .execute();
      if (++writes % PRUNE_EVERY === 0) await pruneOAuthStore(db, now());
    }

    async find(id: string): Promise<Payload | undefined> {
      return this.one(db.selectFrom('oauth_store').selectAll().where('model', '=', this.model).where('id', '=', id));
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      return this.one(db.selectFrom('oauth_store').selectAll().where('model', '=', this.model).where('uid', '=', uid));
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return this.one(db.selectFrom('oauth_store').selectAll().where('model', '=', this.model).where('user_code', '=', userCode));
    }

    async consume(id: string): Promise<void> {
      await db.updateTable('oauth_store').set({ consumed_at: now() }).where('model', '=', this.model).where('id', '=', id).execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oauth_store').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oauth_store').where('grant_id', '=', grantId).execute();
    }

    private async one(query: { executeTakeFirst(): Promise<{ payload: string; expires_at: number | string | null; consumed_at: number | string | null } | undefined> }): Promise<Payload | undefined> {
      const row = await query.executeTakeFirst();
      if (!row) return undefined;
      if (row.expires_at !== null && Number(row.expires_at) <= now()) return undefined;
      const payload = JSON.parse(row.payload) as Payload;
      if (row.consumed_at !== null) payload.consumed = Math.floor(Number(row.consumed_at) / 1000);
      return payload;
    }
  };
}

/** Deletes rows that expired before `before` (ms); the provider never reads them again. */
export async function pruneOAuthStore(db: Kysely<Database>, before: number): Promise<number> {
  const r = await db.deleteFrom('oauth_store').where('expires_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
