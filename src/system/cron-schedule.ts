import { Cron } from 'croner';

/** Backups more often than this are refused: a schedule that fires every few seconds is a mistake. */
export const MIN_SCHEDULE_GAP_MS = 60_000;

/**
 * Checks a cron expression (croner syntax: 5 fields, or 6 with seconds, or @daily-style nicknames).
 * Returns why it is not acceptable, or null.
 */
export function cronProblem(expression: string): string | null {
  const job = parseCron(expression);
  if (typeof job === 'string') return job;
  try {
    const next = job.nextRuns(3);
    if (next.length === 0) return 'this cron expression never runs';
    for (let i = 1; i < next.length; i++) {
      if (next[i]!.getTime() - next[i - 1]!.getTime() < MIN_SCHEDULE_GAP_MS) return 'runs more often than once a minute';
    }
    return null;
  } finally {
    job.stop();
  }
}

/** True for "off" or a cron expression croner accepts (the syntax only: BACKUP_SCHEDULE may run more often). */
export function isScheduleOrOff(value: string): boolean {
  if (value.trim().toLowerCase() === 'off') return true;
  const job = parseCron(value);
  if (typeof job === 'string') return false;
  job.stop();
  return true;
}

/** A paused croner job for the expression, or why it is not a valid one. */
function parseCron(expression: string): Cron | string {
  try {
    return new Cron(expression, { paused: true });
  } catch (err) {
    return `not a valid cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`;
  }
}
