import { Cron } from 'croner';

/** True for "off" or a cron expression croner accepts (5 fields, or 6 with seconds). */
export function isScheduleOrOff(value: string): boolean {
  if (value.trim().toLowerCase() === 'off') return true;
  try {
    new Cron(value, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}
