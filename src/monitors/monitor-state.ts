import type { MonitorRow, MonitorState } from './monitors.table.js';

export interface Transition {
  state: MonitorState;
  consecutive_failures: number;
  /** The state changed: record an event. */
  changed: boolean;
  /** Open an alert now (down, none open, not in a maintenance window). */
  openAlert: boolean;
  /** Resolve the open alert (back up). */
  resolveAlert: boolean;
}

/**
 * The monitor's state machine, in one place: up → down after `failures_before_down` failures in a
 * row, down → up on the first success. An outage opens one alert unless a maintenance window covers
 * it; if the window ends while still down, the next failure opens it. Recovery resolves it.
 */
export function nextState(m: Pick<MonitorRow, 'state' | 'consecutive_failures' | 'failures_before_down' | 'alert_starts_at'>, ok: boolean, inMaintenance: boolean): Transition {
  if (ok) {
    return { state: 'up', consecutive_failures: 0, changed: m.state !== 'up', openAlert: false, resolveAlert: m.alert_starts_at !== null };
  }
  const failures = m.consecutive_failures + 1;
  const down = m.state === 'down' || failures >= m.failures_before_down;
  const state: MonitorState = down ? 'down' : m.state;
  return { state, consecutive_failures: failures, changed: state !== m.state, openAlert: down && m.alert_starts_at === null && !inMaintenance, resolveAlert: false };
}
