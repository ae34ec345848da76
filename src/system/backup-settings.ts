import type { SettingDefaultOverrides, SettingsService } from './settings.service.js';

/** What the backup scheduler takes (src/backups: `scheduler.update`). */
export interface BackupScheduleTarget {
  update(settings: { schedule: string | null; keepCount: number; keepDays: number }): void;
}

/** Defaults of the `backup.*` settings from the BACKUP_SCHEDULE / _KEEP_COUNT / _KEEP_DAYS variables. */
export function backupSettingDefaults(env: { schedule: string | null; keepCount: number; keepDays: number }): SettingDefaultOverrides {
  return {
    'backup.schedule': { value: env.schedule, env: 'BACKUP_SCHEDULE' },
    'backup.keep_count': { value: env.keepCount, env: 'BACKUP_KEEP_COUNT' },
    'backup.keep_days': { value: env.keepDays, env: 'BACKUP_KEEP_DAYS' },
  };
}

/**
 * Keeps the backup scheduler on the `backup.*` settings: applies the current values now and every
 * change at once. Returns the unsubscribe.
 */
export function bindBackupSchedule(settings: Pick<SettingsService, 'get' | 'onChange'>, scheduler: BackupScheduleTarget): () => void {
  const apply = () =>
    scheduler.update({ schedule: settings.get('backup.schedule'), keepCount: settings.get('backup.keep_count'), keepDays: settings.get('backup.keep_days') });
  apply();
  const off = (['backup.schedule', 'backup.keep_count', 'backup.keep_days'] as const).map((key) => settings.onChange(key, apply));
  return () => off.forEach((f) => f());
}
