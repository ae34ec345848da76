import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ServerMetrics } from '../servers/supervision/server-metrics.js';
import type { ServerStatus } from '../servers/supervision/server-status.js';
import { SERVER_STATES } from '../servers/supervision/server-state.js';
import { type MetricsSource, type MetricsSourceOptions, renderSources, sanitize } from './metrics-source-text.js';
import type { SystemMonitor } from './system-monitor.js';

export type { MetricsSource, MetricsSourceOptions };


export interface PrometheusDeps {
  registry: Registry;
  version: string;
  monitor: Pick<SystemMonitor, 'latest' | 'fresh'>;
  supervisor: { list(): ServerStatus[] };
  serverMetrics: Pick<ServerMetrics, 'query'>;
}

/**
 * The Prometheus exposition: Node process metrics (prom-client defaults), the host, HTTP (histogram
 * fed by http-stats), each managed server, and any source added with `addSource` (see
 * metrics-source-text.ts for how a plain snapshot becomes metric families).
 */
export function createPrometheus(deps: PrometheusDeps) {
  const { registry } = deps;
  const registers = [registry];
  const sources = new Map<string, { source: MetricsSource; options: MetricsSourceOptions }>();
  collectDefaultMetrics({ register: registry });

  new Gauge({ name: 'mcps_info', help: 'MCPS.ONE version', labelNames: ['version'] as const, registers, collect() {
    this.set({ version: deps.version }, 1);
  } });

  const host = (name: string, help: string, read: (s: NonNullable<ReturnType<SystemMonitor['latest']>>) => number | null) =>
    new Gauge({ name, help, registers, collect() {
      const s = deps.monitor.latest();
      const v = s ? read(s) : null;
      if (v === null) this.reset();
      else this.set(v);
    } });
  host('mcps_host_cpu_percent', 'Host CPU busy, all cores, 0-100', (s) => s.cpu_percent);
  host('mcps_host_load1', 'Host load average over 1 minute', (s) => s.load_1m);
  host('mcps_host_load5', 'Host load average over 5 minutes', (s) => s.load_5m);
  host('mcps_host_load15', 'Host load average over 15 minutes', (s) => s.load_15m);
  host('mcps_host_memory_total_bytes', 'Host memory', (s) => s.memory_total_bytes);
  host('mcps_host_memory_available_bytes', 'Host memory free', (s) => s.memory_available_bytes);
  host('mcps_data_disk_total_bytes', 'Size of the file system holding DATA_DIR', (s) => s.disk_total_bytes);
  host('mcps_data_disk_free_bytes', 'Free space on the file system holding DATA_DIR', (s) => s.disk_free_bytes);

  const serverGauge = (name: string, help: string, read: (s: ServerStatus) => number | null) =>
    new Gauge({ name, help, labelNames: ['server'] as const, registers, collect() {
      this.reset();
      for (const s of deps.supervisor.list()) {
        const v = read(s);
        if (v !== null) this.set({ server: s.name }, v);
      }
    } });
  const latest = (s: ServerStatus) => deps.serverMetrics.query(s.name).samples.at(-1);
  serverGauge('mcps_server_up', 'Managed MCP server running (1) or not (0)', (s) => (s.state === 'running' ? 1 : 0));
  serverGauge('mcps_server_cpu_percent', 'Managed server CPU, 0-100 per core (latest sample)', (s) => (s.pid === null ? null : (latest(s)?.cpu_percent ?? null)));
  serverGauge('mcps_server_rss_bytes', 'Managed server resident memory (latest sample)', (s) => (s.pid === null ? null : (latest(s)?.rss_bytes ?? null)));
  serverGauge('mcps_server_uptime_seconds', 'Time since the server reached running', (s) => (s.uptimeMs === null ? null : s.uptimeMs / 1000));
  new Gauge({ name: 'mcps_server_state', help: 'Managed server state (1 for the current one)', labelNames: ['server', 'state'] as const, registers, collect() {
    this.reset();
    for (const s of deps.supervisor.list()) for (const state of SERVER_STATES) this.set({ server: s.name, state }, s.state === state ? 1 : 0);
  } });
  const serverCounter = (name: string, help: string, read: (s: ServerStatus) => number) =>
    new Counter({ name, help, labelNames: ['server'] as const, registers, collect() {
      this.reset();
      for (const s of deps.supervisor.list()) this.inc({ server: s.name }, read(s));
    } });
  serverCounter('mcps_server_restarts_total', 'Automatic restarts of a managed server', (s) => s.restarts);
  serverCounter('mcps_server_failures_total', 'Failures of a managed server (crash, lost connection, failed start or health check), the last before fatal included', (s) => s.failuresTotal);
  serverCounter('mcps_server_calls_total', 'MCP requests answered by a managed server (pings excluded)', (s) => deps.serverMetrics.query(s.name).totals.calls);
  serverCounter('mcps_server_errors_total', 'MCP requests a managed server answered with an error', (s) => deps.serverMetrics.query(s.name).totals.errors);

  return {
    /**
     * Adds another domain's counters, e.g.
     * `addSource('gateway', () => gateway.metrics(), { labels: { sessions_open: 'transport', calls_total: 'outcome' } })`.
     */
    addSource(name: string, source: MetricsSource, options: MetricsSourceOptions = {}): void {
      sources.set(sanitize(name), { source, options });
    },
    contentType: registry.contentType,
    async render(): Promise<string> {
      await deps.monitor.fresh();
      return (await registry.metrics()) + renderSources(sources);
    },
  };
}

export type Prometheus = ReturnType<typeof createPrometheus>;

export function newRegistry(): Registry {
  return new Registry();
}
