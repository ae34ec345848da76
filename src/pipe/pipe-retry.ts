import type { PipeTiming } from '../config.js';
import { backoffDelay } from '../servers/supervision/backoff.js';
import type { Timers } from '../servers/supervision/timers.js';
import type { PipeRecord } from './pipe-status.js';

/**
 * The pipe's reconnect timer: exponential backoff with jitter over the failed attempts since the
 * last stable connection (`record.attempts`), the time due kept in `record.nextRetryAt`.
 */
export function createPipeRetry(deps: { timers: Timers; timing: PipeTiming; record: PipeRecord; say(msg: string): void; retry(): void }) {
  const { timers, timing, record } = deps;
  let cancelTimer: (() => void) | null = null;
  return {
    schedule(): void {
      const delay = backoffDelay(record.attempts++, { baseMs: timing.backoffBaseMs, capMs: timing.backoffMaxMs, factor: 2, jitter: 0.2 });
      record.nextRetryAt = timers.now() + delay;
      deps.say(`reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${record.attempts})`);
      cancelTimer = timers.after(delay, () => {
        cancelTimer = null;
        deps.retry();
      });
    },
    cancel(): void {
      cancelTimer?.();
      cancelTimer = null;
      record.nextRetryAt = null;
    },
  };
}
