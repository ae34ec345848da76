import pidusage from 'pidusage';
import type { PairedResponse } from '../../protocol-log/protocol-recorder.js';
import type { Supervisor } from './supervisor.js';

export interface MetricsSample {
  time: string;
  state: string;
  pid: number | null;
  /** Of the server's main process, 0..100 per core; null when not running. */
  cpu_percent: number | null;
  rss_bytes: number | null;
  restarts: number;
  uptime_ms: number | null;
  /** Responses (pings excluded) and error outcomes since the previous sample. */
  calls: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface ServerMetricsOptions {
  supervisor: Pick<Supervisor, 'list'>;
  /** Default 5 s. */
  sampleIntervalMs?: number;
  /** Samples kept per server, by age (default 1 h). */
  windowMs?: number;
  /** Process usage seam (default pidusage). */
  usage?: (pid: number) => Promise<{ cpu: number; memory: number }>;
  now?: () => number;
}

interface Interval {
  calls: number;
  errors: number;
  latencies: number[];
}

/** Latencies kept per interval at most; beyond it, a uniform sample (reservoir) is kept. */
const RESERVOIR = 2048;

/**
 * A time series per server: CPU and RSS (pidusage), restarts, uptime, and from the protocol
 * recorder's pairing the calls, errors and p50/p95 latency of each interval.
 */
export function createServerMetrics(opts: ServerMetricsOptions) {
  const now = opts.now ?? Date.now;
  const windowMs = opts.windowMs ?? 60 * 60 * 1000;
  const usage = opts.usage ?? ((pid: number) => pidusage(pid));
  const current = new Map<string, Interval>();
  const series = new Map<string, MetricsSample[]>();
  const totals = new Map<string, { calls: number; errors: number }>();
  let timer: NodeJS.Timeout | null = null;

  const intervalOf = (server: string): Interval => {
    let i = current.get(server);
    if (!i) current.set(server, (i = { calls: 0, errors: 0, latencies: [] }));
    return i;
  };

  const sample = async (): Promise<void> => {
    const at = now();
    await Promise.all(
      opts.supervisor.list().map(async (s) => {
        const i = current.get(s.name) ?? { calls: 0, errors: 0, latencies: [] };
        current.delete(s.name);
        let cpu: number | null = null;
        let rss: number | null = null;
        if (s.pid !== null) {
          try {
            const u = await usage(s.pid);
            cpu = Math.round(u.cpu * 10) / 10;
            rss = u.memory;
          } catch {
            // exited meanwhile
          }
        }
        const sorted = i.latencies.sort((a, b) => a - b);
        const list = series.get(s.name) ?? [];
        list.push({
          time: new Date(at).toISOString(),
          state: s.state,
          pid: s.pid,
          cpu_percent: cpu,
          rss_bytes: rss,
          restarts: s.restarts,
          uptime_ms: s.uptimeMs,
          calls: i.calls,
          errors: i.errors,
          p50_ms: percentile(sorted, 0.5),
          p95_ms: percentile(sorted, 0.95),
        });
        const cutoff = new Date(at - windowMs).toISOString();
        while (list.length > 0 && list[0]!.time < cutoff) list.shift();
        series.set(s.name, list);
      }),
    );
  };

  return {
    /** Feed from the recorder's `onResponse`. */
    onResponse(r: PairedResponse): void {
      if (r.method === 'ping') return;
      const i = intervalOf(r.server);
      i.calls++;
      if (r.outcome === 'error') i.errors++;
      if (i.latencies.length < RESERVOIR) i.latencies.push(r.durationMs);
      else {
        const j = Math.floor(Math.random() * i.calls);
        if (j < RESERVOIR) i.latencies[j] = r.durationMs;
      }
      const t = totals.get(r.server) ?? { calls: 0, errors: 0 };
      t.calls++;
      if (r.outcome === 'error') t.errors++;
      totals.set(r.server, t);
    },
    sample,
    /** Samples of `server` at or after `since` (ISO), oldest first; totals since the platform started. */
    query(server: string, since?: string): { samples: MetricsSample[]; totals: { calls: number; errors: number }; interval_ms: number; window_ms: number } {
      const all = series.get(server) ?? [];
      return {
        samples: since ? all.filter((s) => s.time >= since) : [...all],
        totals: { ...(totals.get(server) ?? { calls: 0, errors: 0 }) },
        interval_ms: opts.sampleIntervalMs ?? 5000,
        window_ms: windowMs,
      };
    },
    forget(server: string): void {
      series.delete(server);
      current.delete(server);
      totals.delete(server);
    },
    start(): void {
      if (timer) return;
      timer = setInterval(() => void sample().catch(() => {}), opts.sampleIntervalMs ?? 5000);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
      pidusage.clear();
    },
  };
}

export type ServerMetrics = ReturnType<typeof createServerMetrics>;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
