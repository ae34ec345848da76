import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { ChildExit } from '../process/child-process.js';
import { isServerError } from '../server-errors.js';
import type { SupervisorContext } from './supervisor-context.js';
import { abandonWork, takeInstance, type SupervisorEntry } from './supervisor-entry.js';

export interface FailurePolicy {
  backoff: BackoffOptions;
  /** Failures older than this do not count against max_retries. */
  failureWindowMs: number;
}

/** Decides what a failure of a server leads to. */
export type FailureHandler = (entry: SupervisorEntry, err: unknown, reason: string) => void;

/**
 * The one place that decides what a failure leads to: stopped, backoff (a restart through
 * `relaunch` after the delay) or fatal.
 */
export function createFailureHandler(
  ctx: SupervisorContext,
  policy: FailurePolicy,
  relaunch: (entry: SupervisorEntry) => void,
): FailureHandler {
  const { timers, move } = ctx;

  const scheduleRestart = (entry: SupervisorEntry, delay: number) => {
    const epoch = entry.epoch;
    entry.cancelRestart = timers.after(delay, () => {
      if (epoch !== entry.epoch || entry.state !== 'backoff') return;
      entry.cancelRestart = null;
      entry.nextRestartAt = null;
      entry.restarts++;
      move(entry, 'starting', 'restart after backoff');
      relaunch(entry);
    });
  };

  return (entry, err, reason) => {
    const wasStarting = entry.state === 'starting';
    entry.failuresTotal++;
    abandonWork(entry);
    const runningSince = entry.runningSince;
    const instance = takeInstance(entry);
    if (instance) {
      entry.lastExit = instance.exit();
      ctx.trackTeardown(entry, instance);
    } else {
      entry.lastExit = (isServerError(err) ? (err.details?.exit as ChildExit | undefined) : undefined) ?? null;
    }
    const error = err instanceof Error ? err.message : String(err);
    entry.lastError = error;
    const now = timers.now();

    const cleanExit = !wasStarting && entry.lastExit?.code === 0 && entry.lastExit.signal === null;
    const restartPolicy = entry.config.restart_policy;
    if (isServerError(err, 'SERVER_CONFIG_INVALID')) return move(entry, 'fatal', `${reason}: cannot work as configured`, error);
    if (restartPolicy === 'never' || (restartPolicy === 'on-failure' && cleanExit)) {
      return move(entry, wasStarting ? 'fatal' : 'stopped', `${reason}; restart policy ${restartPolicy}`, error);
    }
    const verdict = entry.failures.record(now, runningSince);
    if (verdict.exhausted) {
      const window = Math.round(policy.failureWindowMs / 1000);
      return move(entry, 'fatal', `${reason}; ${verdict.failures} failures within ${window} s (max_retries ${entry.config.max_retries})`, error);
    }
    const delay = backoffDelay(verdict.attempt, policy.backoff);
    entry.nextRestartAt = now + delay;
    move(entry, 'backoff', `${reason}; retry ${verdict.failures} of ${entry.config.max_retries} in ${delay} ms`, error);
    scheduleRestart(entry, delay);
  };
}
