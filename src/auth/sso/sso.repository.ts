import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { NewSsoProviderRow, SsoLoginRow, SsoProviderRow, UserIdentityRow } from './sso.table.js';

export function createSsoRepository(db: Kysely<Database>) {
  return {
    listProviders(): Promise<SsoProviderRow[]> {
      return db.selectFrom('sso_providers').selectAll().orderBy('name').execute();
    },
    findProvider(name: string): Promise<SsoProviderRow | undefined> {
      return db.selectFrom('sso_providers').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async insertProvider(row: NewSsoProviderRow): Promise<void> {
      await db.insertInto('sso_providers').values(row).execute();
    },
    async updateProvider(row: SsoProviderRow): Promise<void> {
      const { id, ...rest } = row;
      await db.updateTable('sso_providers').set(rest).where('id', '=', id).execute();
    },
    async deleteProvider(id: string): Promise<void> {
      await db.deleteFrom('sso_providers').where('id', '=', id).execute();
    },

    async insertLogin(row: SsoLoginRow): Promise<void> {
      await db.insertInto('sso_logins').values(row).execute();
    },
    /**
     * Takes a sign-in under way by its state: the row is deleted in the same statement's transaction, so
     * a state is used once even when two callbacks race (the second finds nothing).
     */
    async takeLogin(state: string): Promise<SsoLoginRow | undefined> {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('sso_logins').selectAll().where('state', '=', state).executeTakeFirst();
        if (!row) return undefined;
        const deleted = await trx.deleteFrom('sso_logins').where('state', '=', state).executeTakeFirst();
        return Number(deleted.numDeletedRows) === 1 ? row : undefined;
      });
    },
    async pruneLogins(now: string): Promise<void> {
      await db.deleteFrom('sso_logins').where('expires_at', '<', now).execute();
    },

    findIdentity(providerId: string, subject: string): Promise<UserIdentityRow | undefined> {
      return db.selectFrom('user_identities').selectAll().where('provider_id', '=', providerId).where('subject', '=', subject).executeTakeFirst();
    },
    async insertIdentity(row: UserIdentityRow): Promise<void> {
      await db.insertInto('user_identities').values(row).execute();
    },
    async touchIdentity(providerId: string, subject: string, at: string, email: string | null): Promise<void> {
      await db.updateTable('user_identities').set({ last_login_at: at, email }).where('provider_id', '=', providerId).where('subject', '=', subject).execute();
    },
  };
}

export type SsoRepository = ReturnType<typeof createSsoRepository>;
