import os from 'node:os';
import { EVERY_SERVER, type ServerScope, visibleOnly } from '../gateway/access/server-access.js';
import { AppError } from '../http/app-error.js';
import type { ServerMetrics } from '../servers/supervision/server-metrics.js';
import type { ServerStatus } from '../servers/supervision/server-status.js';
import { activeHandles } from './host-sampler.js';
import type { HttpStats } from './http-stats.js';
import type { SettingsService } from './settings.service.js';
import type { SystemMonitor } from './system-monitor.js';
import { collectSystemInfo, type SystemInfoDeps } from './system-info.js';

export interface SystemServiceDeps extends SystemInfoDeps {
  monitor: SystemMonitor;
  http: HttpStats;
  settings: Pick<SettingsService, 'get'>;
  /** Every managed server in the database (also those the supervisor has not seen yet). */
  listServers(): Promise<{ id: string; name: string; enabled: number }[]>;
  supervisor: { list(): ServerStatus[] };
  serverMetrics: Pick<ServerMetrics, 'query'>;
}

/** Most points one metrics answer may hold (per series). */
const MAX_POINTS = 5000;

/** `/system/info`, `/system/status`, `/system/metrics`: read-only views of the host and platform. */
export function createSystemService(deps: SystemServiceDeps) {
  const { config } = deps;
  return {
    info: () => collectSystemInfo(deps),

    /** The host, and each managed server `scope` sees. */
    async status(scope: ServerScope = EVERY_SERVER) {
      const sample = await deps.monitor.fresh();
      const handles = activeHandles();
      const live = new Map(deps.supervisor.list().map((s) => [s.name, s]));
      const rows = visibleOnly(scope, await deps.listServers(), (r) => r.name);
      const servers = rows.map((row) => {
        const s = live.get(row.name);
        const last = s && s.pid !== null ? deps.serverMetrics.query(row.name).samples.at(-1) : undefined;
        return {
          id: row.id,
          name: row.name,
          enabled: row.enabled === 1,
          state: s?.state ?? 'stopped',
          pid: s?.pid ?? null,
          cpu_percent: last?.cpu_percent ?? null,
          rss_bytes: last?.rss_bytes ?? null,
          restarts: s?.restarts ?? 0,
          uptime_ms: s?.uptimeMs ?? null,
          sampled_at: last?.time ?? null,
        };
      });
      const by: Record<string, number> = {};
      for (const s of servers) by[s.state] = (by[s.state] ?? 0) + 1;
      return {
        time: new Date().toISOString(),
        sampled_at: sample.time,
        uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
        cpu: { percent: sample.cpu_percent, process_percent: sample.process_cpu_percent, cores: os.cpus().length },
        load: { '1m': sample.load_1m, '5m': sample.load_5m, '15m': sample.load_15m },
        memory: {
          total_bytes: sample.memory_total_bytes,
          available_bytes: sample.memory_available_bytes,
          used_percent: Math.round((1 - sample.memory_available_bytes / sample.memory_total_bytes) * 10000) / 100,
          process_rss_bytes: sample.process_rss_bytes,
          heap_used_bytes: sample.heap_used_bytes,
        },
        disk: sample.disk_total_bytes === null ? null : { path: config.dataDir, total_bytes: sample.disk_total_bytes, free_bytes: sample.disk_free_bytes },
        event_loop: { lag_ms: sample.event_loop_lag_ms, lag_p99_ms: sample.event_loop_lag_p99_ms, lag_max_ms: sample.event_loop_lag_max_ms },
        handles,
        http: { ...deps.http.window(60), total: deps.http.total() },
        servers: { total: servers.length, by_state: by, items: servers },
      };
    },

    /**
     * Samples since `since` (default: the whole window), merged per `step` seconds when given. The
     * range is capped by the window; too fine a step for the range is refused.
     */
    metrics(q: { since?: string | undefined; step?: number | undefined }, scope: ServerScope = EVERY_SERVER) {
      const now = Date.now();
      const oldest = now - deps.monitor.windowMs;
      const since = q.since ? Date.parse(q.since) : oldest;
      if (since > now) throw new AppError('validation', 'since is in the future', { errors: [{ field: 'querystring.since', message: 'must not be in the future' }] });
      // Nothing is older than the monitor: a fresh instance has a short range whatever the window.
      const from = Math.max(since, oldest, deps.monitor.createdAt);
      const stepMs = q.step ? q.step * 1000 : undefined;
      const points = (now - from) / (stepMs ?? deps.monitor.intervalMs);
      if (stepMs && points > MAX_POINTS) {
        const min = Math.ceil((now - from) / MAX_POINTS / 1000);
        throw new AppError('validation', `step too small for this range: at most ${MAX_POINTS} points; use step >= ${min}`, {
          errors: [{ field: 'querystring.step', message: `must be at least ${min} for this range` }],
        });
      }
      const { host, servers } = deps.monitor.query(from, stepMs && stepMs > deps.monitor.intervalMs ? stepMs : undefined);
      return {
        since: new Date(from).toISOString(),
        until: new Date(now).toISOString(),
        interval_seconds: deps.monitor.intervalMs / 1000,
        window_seconds: deps.monitor.windowMs / 1000,
        step_seconds: stepMs && stepMs > deps.monitor.intervalMs ? stepMs / 1000 : null,
        host,
        servers: Object.fromEntries(visibleOnly(scope, Object.entries(servers), ([name]) => name)),
      };
    },
  };
}

export type SystemService = ReturnType<typeof createSystemService>;
