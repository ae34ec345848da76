import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

const SLOTS = 60;
const LATENCIES = 1024;
const RESERVOIR = 1024;

export interface HttpWindow {
  /** Requests per second over the window. */
  requests_per_second: number;
  requests: number;
  /** Responses with a 5xx status. */
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  window_seconds: number;
}

export interface HttpInterval {
  requests: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

/**
 * Counts HTTP responses for the status page, the time series and Prometheus: per-second counts of
 * the last minute, the latest latencies, a per-interval reservoir, and a labelled histogram
 * (method, route template, status) on the given registry. One `record` per response, O(1).
 */
export function createHttpStats(opts: { registry: Registry; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const seconds = new Float64Array(SLOTS).fill(-1);
  const counts = new Uint32Array(SLOTS);
  const errorCounts = new Uint32Array(SLOTS);
  const recent = new Float64Array(LATENCIES);
  const recentAt = new Float64Array(LATENCIES);
  let recentN = 0;
  let total = 0;
  let interval = { requests: 0, errors: 0, latencies: [] as number[] };
  const histogram = new Histogram({
    name: 'mcps_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [opts.registry],
  });

  return {
    record(method: string, route: string | undefined, status: number, ms: number): void {
      const t = now();
      const sec = Math.floor(t / 1000);
      const slot = sec % SLOTS;
      if (seconds[slot] !== sec) {
        seconds[slot] = sec;
        counts[slot] = 0;
        errorCounts[slot] = 0;
      }
      counts[slot]!++;
      const error = status >= 500;
      if (error) errorCounts[slot]!++;
      const i = recentN++ % LATENCIES;
      recent[i] = ms;
      recentAt[i] = t;
      total++;
      interval.requests++;
      if (error) interval.errors++;
      if (interval.latencies.length < RESERVOIR) interval.latencies.push(ms);
      else {
        const j = Math.floor(Math.random() * interval.requests);
        if (j < RESERVOIR) interval.latencies[j] = ms;
      }
      histogram.observe({ method, route: route ?? 'unmatched', status_code: String(status) }, ms / 1000);
    },

    /** Rate and latency over the last `windowSeconds` (at most 60). */
    window(windowSeconds = 60): HttpWindow {
      const w = Math.min(SLOTS, Math.max(1, windowSeconds));
      const t = now();
      const from = Math.floor(t / 1000) - w + 1;
      let requests = 0;
      let errors = 0;
      for (let s = 0; s < SLOTS; s++) {
        if (seconds[s]! >= from) {
          requests += counts[s]!;
          errors += errorCounts[s]!;
        }
      }
      const lat: number[] = [];
      for (let k = 0; k < Math.min(recentN, LATENCIES); k++) if (recentAt[k]! >= from * 1000) lat.push(recent[k]!);
      lat.sort((a, b) => a - b);
      return { requests_per_second: round(requests / w), requests, errors, p50_ms: pct(lat, 0.5), p95_ms: pct(lat, 0.95), window_seconds: w };
    },

    /** What happened since the previous call (the time series takes one per sample). */
    drain(): HttpInterval {
      const i = interval;
      interval = { requests: 0, errors: 0, latencies: [] };
      const sorted = i.latencies.sort((a, b) => a - b);
      return { requests: i.requests, errors: i.errors, p50_ms: pct(sorted, 0.5), p95_ms: pct(sorted, 0.95) };
    },

    total: () => total,
  };
}

export type HttpStats = ReturnType<typeof createHttpStats>;

/** Feeds every response to the stats (route templates only, so label values stay few). */
export function registerHttpStats(app: FastifyInstance, stats: HttpStats): void {
  app.addHook('onResponse', (request, reply, done) => {
    stats.record(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
    done();
  });
}

function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
