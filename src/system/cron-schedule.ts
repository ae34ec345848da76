import { Cron } from 'croner';

/** Backups more often than this are refused: a schedule that fires every few seconds is a mistake. */
export const MIN_SCHEDULE_GAP_MS = 60_000;

/**
 * Checks a cron expression (croner syntax: 5 fields, or 6 with seconds, or @daily-style nicknames).
 * Returns why it is not acceptable, or null.
 */
export function cronProblem(expression: string): string | null {
  let job: Cron;
  try {
    job = new Cron(expression, { paused: true });
  } catch (err) {
    return `not a valid cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`;
  }
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
