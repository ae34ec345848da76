import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { AuditLog } from '../logs/audit-log.js';
import { VERSION } from '../version.js';
import { type BackupScheduler, createBackupScheduler } from './backup-scheduler.js';
import { createBackupStore } from './backup-store.js';
import { type BackupsService, createBackupsService } from './backups.service.js';

export interface BackupsRuntime {
  service: BackupsService;
  /** Automatic backups; `start()` is called by `mcps serve` only. Subscribe `update()` to runtime settings. */
  scheduler: BackupScheduler;
}

export function createBackupsRuntime(deps: {
  db: Kysely<any>;
  dialect: 'sqlite' | 'postgres';
  config: Readonly<Config>;
  log: Logger;
  audit?: AuditLog;
  onRestored?: () => Promise<void>;
}): BackupsRuntime {
  const { config } = deps;
  const service = createBackupsService({
    db: deps.db,
    dialect: deps.dialect,
    databaseUrl: config.databaseUrl,
    store: createBackupStore(config.backupDir),
    appVersion: VERSION,
    limits: { maxUploadBytes: config.backupMaxUploadBytes, maxExpandedBytes: config.backupMaxExpandedBytes },
    log: deps.log,
    onRestored: deps.onRestored,
  });
  const scheduler = createBackupScheduler({
    backups: service,
    log: deps.log,
    audit: deps.audit,
    initial: { schedule: config.backupSchedule, keepCount: config.backupKeepCount, keepDays: config.backupKeepDays },
  });
  return { service, scheduler };
}
