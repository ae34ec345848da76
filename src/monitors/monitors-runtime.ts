import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import type { CheckDeps } from './checks/run-check.js';
import { createMonitorAlertSink, type MonitorAlertSink } from './monitor-alerts.js';
import { createMonitorRecorder } from './monitor-recorder.js';
import { createMonitorRollups } from './monitor-rollups.js';
import { createMonitorScheduler } from './monitor-scheduler.js';
import { createMonitorsRepository } from './monitors.repository.js';
import { createMonitorsService } from './monitors.service.js';
import { createPlatformHealth, type PlatformHealthDeps } from './platform-health.js';
import { createRollupsRepository } from './rollups.repository.js';

export interface MonitorsRuntimeDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  /** Alerts in: the monitors' alerts go where webhooks' alerts go (ingest, then the routing wakes). */
  alertsWake: () => void;
  checks: Omit<CheckDeps, 'now' | 'lastPush'>;
  apiPrefix: string;
  config: { rawRetentionHours: number; maxMonitors: number };
  platform: Omit<PlatformHealthDeps, 'db' | 'now'>;
  /** The clock of the domain (tests move it). */
  now?: () => number;
  /** Tests may catch alerts here instead of the store. */
  alertSink?: MonitorAlertSink;
  onError?: (err: unknown) => void;
}

/** The monitors domain, built once; `start()` (by `mcps serve`) loads the monitors and runs the scheduler. */
export function createMonitorsRuntime(deps: MonitorsRuntimeDeps) {
  const now = deps.now ?? Date.now;
  const repo = createMonitorsRepository(deps.db);
  const rollups = createMonitorRollups(createRollupsRepository(deps.db), { rawRetentionMs: deps.config.rawRetentionHours * 3_600_000 });
  const alerts = deps.alertSink ?? createMonitorAlertSink({ db: deps.db, onIngested: deps.alertsWake, now: () => new Date(now()) });
  const record = createMonitorRecorder({ repo, alerts });
  const late: { run?: (id: string) => Promise<void> } = {};
  const scheduler = createMonitorScheduler({
    now,
    run: async (m) => late.run!(m.id),
    upkeep: async (at) => void (await rollups.run(at)),
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  const service = createMonitorsService({ repo, rollups, scheduler, record, audited: createAudited(deps.audit), checks: deps.checks, now, apiPrefix: deps.apiPrefix, maxMonitors: deps.config.maxMonitors });
  late.run = async (id) => {
    const row = await repo.find(id);
    if (row?.enabled) await service.runMonitor(row);
  };
  const platformHealth = createPlatformHealth({ ...deps.platform, db: deps.db, now });
  return {
    service,
    scheduler,
    rollups,
    platformHealth,
    async start(): Promise<void> {
      scheduler.load(await repo.list());
      scheduler.start();
    },
    stop: () => scheduler.stop(),
  };
}

export type MonitorsRuntime = ReturnType<typeof createMonitorsRuntime>;
