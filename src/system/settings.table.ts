import type { Insertable, Selectable } from 'kysely';

/** Runtime settings changed through the API: one row per key that differs from its default. */
export interface SettingsTable {
  key: string;
  /** JSON of the value. */
  value: string;
  updated_at: string;
  /** Who set it (username or API key name). */
  updated_by: string | null;
}

export type SettingRow = Selectable<SettingsTable>;
export type NewSettingRow = Insertable<SettingsTable>;
