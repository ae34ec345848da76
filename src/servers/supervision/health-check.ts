import type { Timers } from './timers.js';

export interface HealthCheckOptions {
  /** Time between the end of one ping and the start of the next. */
  intervalMs: number;
  /** A ping without an answer within this is a failure. */
  timeoutMs: number;
  /** Consecutive failures that make the server unhealthy. */
  failures: number;
}

export const DEFAULT_HEALTH_CHECK: HealthCheckOptions = { intervalMs: 30_000, timeoutMs: 10_000, failures: 2 };

/**
 * Pings periodically; after `failures` consecutive failed pings calls `onUnhealthy` once and stops.
 * Returns a function that stops the loop (a ping in flight is ignored when it settles).
 */
export function startHealthCheck(
  ping: (timeoutMs: number) => Promise<void>,
  opts: HealthCheckOptions,
  onUnhealthy: (err: unknown) => void,
  timers: Timers,
): () => void {
  let stopped = false;
  let failed = 0;
  let cancel: () => void = () => {};
  const schedule = () => {
    cancel = timers.after(opts.intervalMs, () => void tick());
  };
  const tick = async () => {
    if (stopped) return;
    try {
      await ping(opts.timeoutMs);
      failed = 0;
    } catch (err) {
      failed++;
      if (!stopped && failed >= opts.failures) {
        stopped = true;
        onUnhealthy(err);
        return;
      }
    }
    if (!stopped) schedule();
  };
  schedule();
  return () => {
    stopped = true;
    cancel();
  };
}
