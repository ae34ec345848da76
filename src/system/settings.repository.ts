import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { SettingRow } from './settings.table.js';

export interface SettingWrite {
  key: string;
  /** JSON text, or null to delete the row (back to the default). */
  value: string | null;
}

export function createSettingsRepository(db: Kysely<Database>) {
  return {
    all(): Promise<SettingRow[]> {
      return db.selectFrom('settings').selectAll().orderBy('key').execute();
    },
    /** Applies every write in one transaction: all or nothing. */
    async write(writes: SettingWrite[], at: string, by: string | null): Promise<void> {
      await db.transaction().execute(async (tx) => {
        for (const w of writes) {
          if (w.value === null) {
            await tx.deleteFrom('settings').where('key', '=', w.key).execute();
          } else {
            await tx
              .insertInto('settings')
              .values({ key: w.key, value: w.value, updated_at: at, updated_by: by })
              .onConflict((oc) => oc.column('key').doUpdateSet({ value: w.value!, updated_at: at, updated_by: by }))
              .execute();
          }
        }
      });
    },
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
