import type { Logger } from 'pino';
import type { MetricsSample, ServerMetrics } from '../servers/supervision/server-metrics.js';
import type { ServerStatus } from '../servers/supervision/server-status.js';
import type { HostReading, HostSampler } from './host-sampler.js';
import type { HttpStats } from './http-stats.js';
import { type AggregateSpec, createSeries, type Series } from './metrics-series.js';

export type HostSample = HostReading & {
  time: string;
  http_requests: number;
  http_errors: number;
  http_p50_ms: number | null;
  http_p95_ms: number | null;
};

export type ServerSample = MetricsSample;

const HOST_SPEC: AggregateSpec<HostSample> = {
  cpu_percent: 'avg',
  process_cpu_percent: 'avg',
  load_1m: 'avg',
  load_5m: 'avg',
  load_15m: 'avg',
  memory_total_bytes: 'last',
  memory_available_bytes: 'avg',
  process_rss_bytes: 'avg',
  heap_used_bytes: 'avg',
  event_loop_lag_ms: 'avg',
  event_loop_lag_p99_ms: 'max',
  event_loop_lag_max_ms: 'max',
  active_handles: 'avg',
  disk_total_bytes: 'last',
  disk_free_bytes: 'last',
  http_requests: 'sum',
  http_errors: 'sum',
  http_p50_ms: 'avg',
  http_p95_ms: 'max',
};

const SERVER_SPEC: AggregateSpec<ServerSample> = {
  state: 'last',
  pid: 'last',
  cpu_percent: 'avg',
  rss_bytes: 'avg',
  restarts: 'last',
  uptime_ms: 'last',
  calls: 'sum',
  errors: 'sum',
  p50_ms: 'avg',
  p95_ms: 'max',
};

export interface SystemMonitorDeps {
  host: HostSampler;
  http: HttpStats;
  /** The servers runtime's per-server sampler (pidusage); reused, never duplicated. */
  serverMetrics: Pick<ServerMetrics, 'query' | 'sample'>;
  supervisor: { list(): ServerStatus[] };
  intervalMs: number;
  windowMs: number;
  log: Pick<Logger, 'error'>;
  now?: () => number;
}

/**
 * The metrics time series: a host sample (CPU, load, memory, event-loop lag, handles, disk, HTTP)
 * every `intervalMs`, plus each managed server's latest sample from the servers runtime, kept in
 * memory for `windowMs` (full resolution for the last hour, one-minute buckets before).
 */
export function createSystemMonitor(deps: SystemMonitorDeps) {
  const now = deps.now ?? Date.now;
  const createdAt = now();
  const rawMs = Math.min(deps.windowMs, 60 * 60 * 1000);
  const host = createSeries<HostSample>({ rawMs, windowMs: deps.windowMs, spec: HOST_SPEC, now });
  const servers = new Map<string, Series<ServerSample>>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<HostSample> | null = null;

  /** Moves the servers runtime's samples not seen yet into the series; returns how many. */
  const pull = (list: ServerStatus[]): number => {
    let n = 0;
    for (const s of list) {
      let series = servers.get(s.name);
      if (!series) servers.set(s.name, (series = createSeries<ServerSample>({ rawMs, windowMs: deps.windowMs, spec: SERVER_SPEC, now })));
      const seen = series.latest()?.time;
      for (const sample of deps.serverMetrics.query(s.name, seen).samples) {
        if (seen !== undefined && sample.time <= seen) continue;
        series.push(sample);
        n++;
      }
    }
    return n;
  };

  const takeServerSamples = async () => {
    const list = deps.supervisor.list();
    if (list.length === 0) return;
    // Once booted, the servers runtime samples on its own timer at the same interval; when nothing
    // new came since the last tick (not booted, or timers drifted), sample now.
    if (pull(list) === 0) {
      await deps.serverMetrics.sample();
      pull(list);
    }
  };

  const sampleOnce = async (): Promise<HostSample> => {
    const reading = await deps.host.read();
    const http = deps.http.drain();
    const sample: HostSample = {
      time: new Date(now()).toISOString(),
      ...reading,
      http_requests: http.requests,
      http_errors: http.errors,
      http_p50_ms: http.p50_ms,
      http_p95_ms: http.p95_ms,
    };
    host.push(sample);
    await takeServerSamples();
    return sample;
  };

  const monitor = {
    /** Takes one sample now (concurrent callers share it). */
    sample(): Promise<HostSample> {
      running ??= sampleOnce().finally(() => (running = null));
      return running;
    },
    /** The latest host sample, taken now if the last one is older than the interval. */
    async fresh(): Promise<HostSample> {
      const last = host.latest();
      if (last && now() - Date.parse(last.time) < deps.intervalMs) return last;
      return monitor.sample();
    },
    latest: () => host.latest(),
    /** Host and per-server samples at or after `since`, merged per `stepMs` when given. */
    query(since: number, stepMs?: number): { host: HostSample[]; servers: Record<string, ServerSample[]> } {
      const out: Record<string, ServerSample[]> = {};
      for (const [name, series] of [...servers].sort(([a], [b]) => a.localeCompare(b))) {
        const samples = series.query(since, stepMs);
        if (samples.length > 0) out[name] = samples;
      }
      return { host: host.query(since, stepMs), servers: out };
    },
    forgetServer(name: string): void {
      servers.delete(name);
    },
    intervalMs: deps.intervalMs,
    windowMs: deps.windowMs,
    /** No sample is older than this (the series start empty with the process). */
    createdAt,
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        monitor.sample().catch((err: unknown) => deps.log.error({ err }, 'sampling system metrics failed'));
      }, deps.intervalMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
      deps.host.stop();
    },
  };
  return monitor;
}

export type SystemMonitor = ReturnType<typeof createSystemMonitor>;
