import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/database.js';
import type { AuditLog } from '../logs/audit-log.js';
import type { LogsService } from '../logs/logs.service.js';
import { createServersRepository } from '../servers/servers.repository.js';
import type { ServersRuntime } from '../servers/servers-runtime.js';
import { createTrafficRepository } from '../protocol-log/protocol-log.repository.js';
import { createHostSampler } from './host-sampler.js';
import { createHttpStats, type HttpStats } from './http-stats.js';
import { createLogRetention } from './log-retention.js';
import { protocolLogRetention } from '../protocol-log/protocol-log-retention.js';
import { createPrometheus, newRegistry, type MetricsSource, type MetricsSourceOptions, type Prometheus } from './prometheus.js';
import { createSettingsRepository } from './settings.repository.js';
import type { SettingValues } from './settings-definitions.js';
import { createSettingsService, type SettingDefaultOverrides, type SettingsService } from './settings.service.js';
import { createSystemMonitor, type SystemMonitor } from './system-monitor.js';
import { createSystemService, type SystemService } from './system.service.js';

/** How often each instance re-reads the settings table (changes made on another instance). */
const SETTINGS_REFRESH_MS = 30_000;

/** Creates the settings service and reads the stored values. Before the domains that use settings. */
export async function loadSettings(deps: {
  db: Kysely<Database>;
  config: Readonly<Config>;
  log: Logger;
  audit?: AuditLog;
  defaults?: SettingDefaultOverrides;
}): Promise<SettingsService> {
  // The level the logger was started with (LOG_LEVEL, DEBUG, or the caller's logger) is the default.
  const logLevel = { 'log.level': { value: deps.log.level as SettingValues['log.level'], env: deps.config.debug ? 'DEBUG' : 'LOG_LEVEL' } };
  const settings = createSettingsService({ repo: createSettingsRepository(deps.db), ...deps, defaults: { ...logLevel, ...deps.defaults } });
  try {
    await settings.load();
  } catch (err) {
    // A context opened without migrating (`mcps db status`, or after `db rollback`) may lack the table.
    deps.log.warn({ err }, 'runtime settings could not be read; their defaults apply');
  }
  return settings;
}

/** The servers runtime's MCP defaults and protocol-log retention, read from the settings at each use. */
export function serversSettings(config: Readonly<Config>, settings: Pick<SettingsService, 'get'>) {
  return {
    config: { dataDir: config.dataDir },
    // A function, not getters: a spread of this object must not freeze the values it had then.
    mcpDefaults: () => ({ timeoutMs: settings.get('mcp.timeout_seconds') * 1000, maxRetries: settings.get('mcp.max_retries') }),
    retention: () => protocolLogRetention(settings),
    metrics: { sampleIntervalMs: config.metricsIntervalMs },
  };
}

export interface SystemRuntimeDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  dbDisplay: string;
  config: Readonly<Config>;
  log: Logger;
  version: string;
  instanceId: string;
  startedAt: number;
  logs: LogsService;
  servers: ServersRuntime;
  settings: SettingsService;
}

export interface SystemRuntime {
  settings: SettingsService;
  service: SystemService;
  monitor: SystemMonitor;
  http: HttpStats;
  prometheus: Prometheus;
  /**
   * Puts another domain's counters on /metrics, e.g.
   * `addMetricsSource('gateway', () => gateway.metrics(), { labels: { sessions_open: 'transport', calls_total: 'outcome' } })`.
   */
  addMetricsSource(name: string, source: MetricsSource, options?: MetricsSourceOptions): void;
  /** Starts sampling, log retention and the settings refresh (the serving process calls it). */
  start(): void;
  close(): void;
}

/** Wires the system domain: settings applied to the logger, metrics, status, Prometheus, retention. */
export function createSystemRuntime(deps: SystemRuntimeDeps): SystemRuntime {
  const { config, log, settings, servers } = deps;
  const registry = newRegistry();
  const http = createHttpStats({ registry });
  const monitor = createSystemMonitor({
    host: createHostSampler({ dataDir: config.dataDir }),
    http,
    serverMetrics: servers.metrics,
    supervisor: servers.supervisor,
    intervalMs: config.metricsIntervalMs,
    windowMs: config.metricsWindowMs,
    log,
  });
  const prometheus = createPrometheus({ registry, version: deps.version, monitor, supervisor: servers.supervisor, serverMetrics: servers.metrics });
  const serversRepo = createServersRepository(deps.db);
  const service = createSystemService({
    ...deps,
    monitor,
    http,
    listServers: () => serversRepo.all(),
    supervisor: servers.supervisor,
    serverMetrics: servers.metrics,
  });
  const retention = createLogRetention({ logs: deps.logs, traffic: createTrafficRepository(deps.db), settings, log });

  log.level = settings.get('log.level');
  const offLevel = settings.onChange('log.level', (level) => {
    log.level = level;
  });

  return {
    settings,
    service,
    monitor,
    http,
    prometheus,
    addMetricsSource: (name, source, options) => prometheus.addSource(name, source, options),
    start() {
      monitor.start();
      retention.start();
      settings.startRefresh(SETTINGS_REFRESH_MS);
    },
    close() {
      offLevel();
      retention.stop();
      monitor.stop();
      settings.stop();
    },
  };
}
