import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { AuditLog } from '../logs/audit-log.js';
import type { BackupManifest } from './backup-format.js';
import type { RetentionPolicy } from './backup-retention.js';

export interface ScheduleSettings extends RetentionPolicy {
  /** Cron expression, or null for no automatic backups. */
  schedule: string | null;
}

export interface BackupSchedulerDeps {
  backups: { createScheduled(): Promise<BackupManifest | null>; prune(policy: RetentionPolicy): Promise<string[]> };
  log: Logger;
  audit?: AuditLog;
  initial: ScheduleSettings;
}

export interface BackupScheduler {
  /** Starts the timer (only `mcps serve` does; CLI commands never schedule). */
  start(): void;
  /** New settings, applied at once (a runtime-settings change calls this); throws on a bad cron expression. */
  update(settings: Partial<ScheduleSettings>): void;
  settings(): ScheduleSettings;
  /** When the next automatic backup is due (null when off or not started). */
  nextRun(): Date | null;
  /** One scheduled run now: backup (skipped when another instance holds the lock), then pruning. */
  runOnce(): Promise<{ backup: BackupManifest | null; pruned: string[] }>;
  stop(): void;
}

/**
 * Automatic backups on a cron schedule (croner), each followed by retention. Runs never overlap
 * (croner's `protect`); with PostgreSQL, an advisory lock lets one instance of several run it.
 */
export function createBackupScheduler(deps: BackupSchedulerDeps): BackupScheduler {
  let current: ScheduleSettings = { ...deps.initial };
  let job: Cron | null = null;
  let started = false;

  const runOnce = async () => {
    let backup: BackupManifest | null = null;
    try {
      backup = await deps.backups.createScheduled();
      if (!backup) deps.log.info('scheduled backup skipped: another instance holds the backup lock');
      await deps.audit?.record({ actor: { type: 'system', name: 'scheduler' }, action: 'backup.create', target: { type: 'backup', id: backup?.id ?? null }, outcome: 'success', details: { kind: 'scheduled', skipped: !backup } });
    } catch (err) {
      deps.log.error({ err }, 'scheduled backup failed');
      await deps.audit?.record({ actor: { type: 'system', name: 'scheduler' }, action: 'backup.create', target: { type: 'backup' }, outcome: 'failure', details: { kind: 'scheduled', error: (err as Error).message } });
    }
    const pruned = await deps.backups.prune({ keepCount: current.keepCount, keepDays: current.keepDays }).catch((err: unknown) => {
      deps.log.error({ err }, 'backup retention failed');
      return [];
    });
    return { backup, pruned };
  };

  const arm = () => {
    job?.stop();
    job = null;
    if (!started || !current.schedule) return;
    job = new Cron(current.schedule, { protect: true, unref: true, catch: (err) => deps.log.error({ err }, 'scheduled backup failed') }, async () => {
      await runOnce();
    });
  };

  return {
    start() {
      started = true;
      arm();
      if (current.schedule) deps.log.info({ lifecycle: true, schedule: current.schedule, next: job?.nextRun()?.toISOString() }, 'automatic backups scheduled');
    },
    update(settings) {
      const next = { ...current, ...settings };
      if (next.schedule) new Cron(next.schedule, { paused: true }).stop(); // throws on a bad expression
      current = next;
      arm();
    },
    settings: () => ({ ...current }),
    nextRun: () => job?.nextRun() ?? null,
    runOnce,
    stop() {
      started = false;
      job?.stop();
      job = null;
    },
  };
}
