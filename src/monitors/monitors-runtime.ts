import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import { createLeaseKeeper } from '../leases/lease-keeper.js';
import { createLeasesRepository } from '../leases/leases.repository.js';
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
  /** `leaseTtlMs`: how long the scheduler lease lasts unrenewed (MCPS_MONITORS_LEASE_TTL_MS, default 15 s). */
  config: { rawRetentionHours: number; maxMonitors: number; leaseTtlMs?: number };
  platform: Omit<PlatformHealthDeps, 'db' | 'now'>;
  /** The clock of the domain (tests move it). */
  now?: () => number;
  /** This process as a lease holder: of the instances sharing the database, the lease holder runs the checks. */
  instanceId?: string;
  /** Tests may catch alerts here instead of the store. */
  alertSink?: MonitorAlertSink;
  onError?: (err: unknown) => void;
}

/** The monitors domain, built once; `start()` (by `mcps serve`) loads the monitors and runs the scheduler. */
export function createMonitorsRuntime(deps: MonitorsRuntimeDeps) {
  const now = deps.now ?? Date.now;
  const repo = createMonitorsRepository(deps.db);
  const rollups = createMonitorRollups(createRollupsRepository(deps.db), { rawRetentionMs: deps.config.rawRetentionHours * 3_600_000 });
  const alerts = deps.alertSink ?? createMonitorAlertSink({ onIngested: deps.alertsWake, now: () => new Date(now()) });
  const record = createMonitorRecorder({ repo, alerts });
  const late: { run?: (id: string) => Promise<void> } = {};
  // Instances sharing a database run each monitor once: the one holding the lease schedules; the
  // others stand by and take over within the TTL and a third of it of the holder dying (a clean stop
  // hands over within a third).
  const ttlMs = deps.config.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const keeper = createLeaseKeeper({ leases: createLeasesRepository(deps.db), holder: deps.instanceId ?? `monitors:${process.pid}`, ttlMs });
  let leaseTimer: NodeJS.Timeout | null = null;
  const scheduler = createMonitorScheduler({
    now,
    isLeader: () => keeper.holds(LEASE),
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
    /** Whether this instance runs the checks now (holds the scheduler lease). */
    leader: () => keeper.holds(LEASE),
    async start(): Promise<void> {
      const claim = async () => {
        const was = keeper.holds(LEASE);
        const held = await keeper.acquire(LEASE).catch((err: unknown) => (deps.onError?.(err), false));
        // Monitors changed by another instance are picked up when this one takes over.
        if (held && !was) scheduler.load(await repo.list());
      };
      await claim();
      leaseTimer = setInterval(() => void claim(), Math.max(100, Math.floor(ttlMs / 3)));
      leaseTimer.unref();
      scheduler.start();
    },
    async stop(): Promise<void> {
      if (leaseTimer) clearInterval(leaseTimer);
      leaseTimer = null;
      await scheduler.stop();
      await keeper.release(LEASE).catch(() => {});
    },
  };
}

export const MONITORS_LEASE = 'monitors.scheduler';
const LEASE = MONITORS_LEASE;
const DEFAULT_LEASE_TTL_MS = 15_000;

export type MonitorsRuntime = ReturnType<typeof createMonitorsRuntime>;
