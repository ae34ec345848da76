/**
 * The clock seam of the supervisor: "now" and one-shot timers. Real timers are unref'd, so a
 * pending restart or health check never keeps the platform process alive on its own.
 */
export interface Timers {
  now(): number;
  /** Runs `fn` once after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};
