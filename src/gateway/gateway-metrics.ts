export type CallOutcome = 'ok' | 'error' | 'denied';
export type SessionTransport = 'streamable-http' | 'sse' | 'in-process';

/** Upper bounds (ms) of the call-duration histogram buckets; the last bucket is +Inf. */
export const DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

/** A plain snapshot for /metrics (the system domain renders it as Prometheus text). */
export interface GatewayMetricsSnapshot {
  sessions_open: Record<SessionTransport, number>;
  sessions_opened_total: number;
  sessions_rejected_total: number;
  calls_total: Record<CallOutcome, number>;
  call_duration_ms: {
    sum: number;
    count: number;
    /** Cumulative counts per upper bound (`le`), as in a Prometheus histogram; `+Inf` equals count. */
    buckets: Array<{ le: number | '+Inf'; count: number }>;
  };
}

export function createGatewayMetrics() {
  const open: Record<SessionTransport, number> = { 'streamable-http': 0, sse: 0, 'in-process': 0 };
  const calls: Record<CallOutcome, number> = { ok: 0, error: 0, denied: 0 };
  const buckets = new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0);
  let opened = 0;
  let rejected = 0;
  let sum = 0;
  let count = 0;
  return {
    sessionOpened(t: SessionTransport) {
      open[t]++;
      opened++;
    },
    sessionClosed(t: SessionTransport) {
      open[t] = Math.max(0, open[t] - 1);
    },
    sessionRejected() {
      rejected++;
    },
    call(outcome: CallOutcome, durationMs: number) {
      calls[outcome]++;
      sum += durationMs;
      count++;
      let i = DURATION_BUCKETS_MS.findIndex((b) => durationMs <= b);
      if (i < 0) i = DURATION_BUCKETS_MS.length;
      buckets[i]!++;
    },
    snapshot(): GatewayMetricsSnapshot {
      let acc = 0;
      const cumulative = buckets.map((n, i) => {
        acc += n;
        return { le: i < DURATION_BUCKETS_MS.length ? DURATION_BUCKETS_MS[i]! : ('+Inf' as const), count: acc };
      });
      return {
        sessions_open: { ...open },
        sessions_opened_total: opened,
        sessions_rejected_total: rejected,
        calls_total: { ...calls },
        call_duration_ms: { sum: Math.round(sum * 1000) / 1000, count, buckets: cumulative },
      };
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
