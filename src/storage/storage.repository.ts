import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { NewStorageProfileRow, StorageFileRow, StorageProfileRow, StorageProfileUpdate } from './storage.table.js';

/** The storage tables: profiles and the record of downloaded files. */
export function createStorageRepository(db: Kysely<Database>) {
  return {
    listProfiles: (): Promise<StorageProfileRow[]> => db.selectFrom('storage_profiles').selectAll().orderBy('name').execute(),

    findProfile: (idOrName: string): Promise<StorageProfileRow | undefined> =>
      db.selectFrom('storage_profiles').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst(),

    async insertProfile(row: NewStorageProfileRow): Promise<void> {
      await db.insertInto('storage_profiles').values(row).execute();
    },

    async updateProfile(id: string, patch: StorageProfileUpdate): Promise<void> {
      await db.updateTable('storage_profiles').set(patch).where('id', '=', id).execute();
    },

    async deleteProfile(id: string): Promise<void> {
      await db.deleteFrom('storage_files').where('profile_id', '=', id).execute();
      await db.deleteFrom('storage_profiles').where('id', '=', id).execute();
    },

    findFile: (profileId: string, key: string, gunzipped: number): Promise<StorageFileRow | undefined> =>
      db.selectFrom('storage_files').selectAll().where('profile_id', '=', profileId).where('key', '=', key).where('gunzipped', '=', gunzipped).executeTakeFirst(),

    async upsertFile(row: StorageFileRow): Promise<void> {
      await db.deleteFrom('storage_files').where('profile_id', '=', row.profile_id).where('key', '=', row.key).where('gunzipped', '=', row.gunzipped).execute();
      await db.insertInto('storage_files').values(row).execute();
    },

    async deleteFile(row: Pick<StorageFileRow, 'profile_id' | 'key' | 'gunzipped'>): Promise<void> {
      await db.deleteFrom('storage_files').where('profile_id', '=', row.profile_id).where('key', '=', row.key).where('gunzipped', '=', row.gunzipped).execute();
    },

    /** Every downloaded file, oldest first (the eviction order). */
    filesOldestFirst: (): Promise<StorageFileRow[]> => db.selectFrom('storage_files').selectAll().orderBy('downloaded_at').execute(),
  };
}

export type StorageRepository = ReturnType<typeof createStorageRepository>;
