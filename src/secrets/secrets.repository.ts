import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { NewSecretRow, NewSecretVersionRow, SecretRow, SecretUpdate, SecretVersionMeta, SecretVersionRow } from './secret.table.js';

const VERSION_META = ['secret_id', 'version', 'kek_version', 'created_at', 'created_by', 'destroyed_at', 'expires_at'] as const;

export interface VersionKey {
  secretId: string;
  version: number;
}

/** A version to re-wrap, with the secret's name (part of the AAD). */
export type RewrapCandidate = SecretVersionRow & { name: string };

/** Queries on `secrets` and `secret_versions`. Takes the database or a transaction; no logic. */
export function createSecretsRepository(db: Kysely<Database>) {
  return {
    findByName(name: string): Promise<SecretRow | undefined> {
      return db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
    },

    /** Ordered by name; `after` is the last name of the previous page. */
    list(limit: number, after: string | undefined, includeDeleted: boolean): Promise<(SecretRow & { version_count: number })[]> {
      let q = db
        .selectFrom('secrets')
        .selectAll('secrets')
        .select((eb) =>
          eb
            .selectFrom('secret_versions')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('secret_versions.secret_id', '=', 'secrets.id')
            .as('version_count'),
        )
        .orderBy('name')
        .limit(limit);
      if (after !== undefined) q = q.where('name', '>', after);
      if (!includeDeleted) q = q.where('deleted_at', 'is', null);
      return q.execute().then((rows) => rows.map((r) => ({ ...r, version_count: Number(r.version_count ?? 0) })));
    },

    async count(includeDeleted: boolean): Promise<number> {
      let q = db.selectFrom('secrets').select((eb) => eb.fn.countAll<number>().as('n'));
      if (!includeDeleted) q = q.where('deleted_at', 'is', null);
      return Number((await q.executeTakeFirstOrThrow()).n);
    },

    async insertSecret(row: NewSecretRow): Promise<void> {
      await db.insertInto('secrets').values(row).execute();
    },

    async update(id: string, patch: SecretUpdate): Promise<number> {
      const r = await db.updateTable('secrets').set(patch).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    /**
     * Moves `current_version` on from `expected`, only if nobody else did first: the check-and-set that
     * makes one of two concurrent writers win (the row lock on PostgreSQL, the single writer on SQLite).
     */
    async advanceVersion(id: string, expected: number, patch: SecretUpdate): Promise<boolean> {
      const r = await db
        .updateTable('secrets')
        .set(patch)
        .where('id', '=', id)
        .where('current_version', '=', expected)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async touchLastUsed(ids: readonly string[], at: string): Promise<void> {
      if (ids.length > 0) await db.updateTable('secrets').set({ last_used_at: at }).where('id', 'in', ids).execute();
    },

    async insertVersion(row: NewSecretVersionRow): Promise<void> {
      await db.insertInto('secret_versions').values(row).execute();
    },

    findVersion(secretId: string, version: number): Promise<SecretVersionRow | undefined> {
      return db.selectFrom('secret_versions').selectAll().where('secret_id', '=', secretId).where('version', '=', version).executeTakeFirst();
    },

    /** Every version's metadata (never the ciphertext), newest first. */
    listVersionMeta(secretId: string): Promise<SecretVersionMeta[]> {
      return db.selectFrom('secret_versions').select(VERSION_META).where('secret_id', '=', secretId).orderBy('version', 'desc').execute();
    },

    /** Starts a version's overlap window; an earlier deadline already set is kept. */
    async expireVersion(secretId: string, version: number, at: string): Promise<void> {
      await db
        .updateTable('secret_versions')
        .set({ expires_at: at })
        .where('secret_id', '=', secretId)
        .where('version', '=', version)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
        .execute();
    },

    /** Wipes the ciphertext of the given versions, keeping their metadata. Returns how many changed. */
    async destroyVersions(secretId: string, versions: readonly number[], at: string): Promise<number> {
      if (versions.length === 0) return 0;
      const r = await db
        .updateTable('secret_versions')
        .set({ destroyed_at: at, wrapped_dek: null, nonce: null, tag: null, ciphertext: null })
        .where('secret_id', '=', secretId)
        .where('version', 'in', versions)
        .where('destroyed_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async deleteVersions(secretId: string, versions: readonly number[]): Promise<void> {
      if (versions.length > 0) await db.deleteFrom('secret_versions').where('secret_id', '=', secretId).where('version', 'in', versions).execute();
    },

    /** Live versions not under `kekVersion`, in key order after `after` (keyset pagination). */
    findVersionsToRewrap(kekVersion: string, after: VersionKey | undefined, limit: number): Promise<RewrapCandidate[]> {
      let q = db
        .selectFrom('secret_versions')
        .innerJoin('secrets', 'secrets.id', 'secret_versions.secret_id')
        .selectAll('secret_versions')
        .select('secrets.name')
        .where('secret_versions.kek_version', '<>', kekVersion)
        .where('secret_versions.wrapped_dek', 'is not', null)
        .orderBy('secret_versions.secret_id')
        .orderBy('secret_versions.version')
        .limit(limit);
      if (after)
        q = q.where((eb) =>
          eb.or([
            eb('secret_versions.secret_id', '>', after.secretId),
            eb.and([eb('secret_versions.secret_id', '=', after.secretId), eb('secret_versions.version', '>', after.version)]),
          ]),
        );
      return q.execute();
    },

    async countVersionsToRewrap(kekVersion: string): Promise<number> {
      const r = await db
        .selectFrom('secret_versions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kek_version', '<>', kekVersion)
        .where('wrapped_dek', 'is not', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** Replaces a version's wrapped key only if it is still the one that was read (else false). */
    async replaceWrap(key: VersionKey, from: { kek_version: string; wrapped_dek: string }, to: { kek_version: string; wrapped_dek: string }): Promise<boolean> {
      const r = await db
        .updateTable('secret_versions')
        .set(to)
        .where('secret_id', '=', key.secretId)
        .where('version', '=', key.version)
        .where('kek_version', '=', from.kek_version)
        .where('wrapped_dek', '=', from.wrapped_dek)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type SecretsRepository = ReturnType<typeof createSecretsRepository>;
