/** Restart pacing: exponential backoff with jitter, and the retry budget over a sliding window. */

export interface BackoffOptions {
  /** Delay before the first retry. */
  baseMs: number;
  /** No delay is longer than this. */
  capMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Fraction of the delay that is randomised, 0..1: the delay lies in [d * (1 - jitter), d]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 30_000, factor: 2, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (0 for the first retry): min(cap, base * factor^attempt),
 * reduced by up to `jitter` of itself so that servers failing together do not restart together.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const raw = Math.min(opts.capMs, opts.baseMs * Math.pow(opts.factor, Math.max(0, attempt)));
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  return Math.round(raw * (1 - jitter * random()));
}

export interface FailureWindowOptions {
  /** Failures tolerated within the window; one more is fatal. */
  maxRetries: number;
  /** Only failures younger than this count. */
  windowMs: number;
  /** A server that ran this long before failing starts over with a clean record. */
  stableMs: number;
}

export interface FailureVerdict {
  /** Failures counted in the window, this one included. */
  failures: number;
  /** More than maxRetries failures in the window: give up. */
  exhausted: boolean;
  /** Retry number for backoffDelay (failures - 1). */
  attempt: number;
}

export interface FailureWindow {
  /**
   * Records a failure at `now`. `runningSince` is when the failed instance reached `running`
   * (null if it never did); a run of at least `stableMs` clears the earlier failures first.
   */
  record(now: number, runningSince: number | null): FailureVerdict;
  /** Forgets every failure (a person started the server again). */
  reset(): void;
  /** Failures currently in the window. */
  count(now: number): number;
}

export function createFailureWindow(opts: FailureWindowOptions): FailureWindow {
  let times: number[] = [];
  const prune = (now: number) => {
    times = times.filter((t) => now - t < opts.windowMs);
  };
  return {
    record(now, runningSince) {
      if (runningSince !== null && now - runningSince >= opts.stableMs) times = [];
      prune(now);
      times.push(now);
      const failures = times.length;
      return { failures, exhausted: failures > opts.maxRetries, attempt: failures - 1 };
    },
    reset() {
      times = [];
    },
    count(now) {
      prune(now);
      return times.length;
    },
  };
}
