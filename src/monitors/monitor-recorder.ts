import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { newId } from '../lib/ids.js';
import type { CheckResult } from './checks/check-spec.js';
import type { MonitorAlertSink } from './monitor-alerts.js';
import { nextState } from './monitor-state.js';
import { maskTarget } from './monitor-view.js';
import type { MonitorsRepository } from './monitors.repository.js';
import type { MonitorRow } from './monitors.table.js';

/**
 * Records one result of a monitor: the raw row, the new state (monitor-state.ts), a state-change
 * event, and the alert opened or resolved, all in one transaction: if the alert store fails, nothing
 * is recorded and the next check tries again.
 */
export function createMonitorRecorder(deps: { repo: MonitorsRepository; alerts: MonitorAlertSink }) {
  const labelsOf = (m: MonitorRow) => ({ alertname: 'MonitorDown', monitor: m.name, severity: m.severity, kind: m.kind, source: 'mcps-monitors' });

  return async function record(monitorId: string, result: CheckResult, atMs: number): Promise<MonitorRow | undefined> {
    const m = await deps.repo.find(monitorId);
    if (!m) return undefined;
    const at = new Date(atMs).toISOString();
    const maintenance = result.ok ? false : await deps.repo.inMaintenance(m.id, at);
    const t = nextState(m, result.ok, maintenance);
    let alertStartsAt = m.alert_starts_at;
    if (t.openAlert) alertStartsAt = at;
    if (t.resolveAlert && m.alert_starts_at) alertStartsAt = null;
    // The alert is written in the transaction that records the state: a crash between the two would
    // leave an alert firing for a monitor still recorded up, or a monitor down whose alert was resolved.
    const alerts = async (trx: Transaction<Database>): Promise<number> => {
      let n = 0;
      if (t.openAlert) n += await deps.alerts.fire(trx, labelsOf(m), { summary: `${m.name} is down`, description: `${m.kind} ${maskTarget(m.target)}: ${result.error ?? 'failed'}` }, at);
      if (t.resolveAlert && m.alert_starts_at) n += await deps.alerts.resolve(trx, labelsOf(m), { summary: `${m.name} is up again` }, m.alert_starts_at, at);
      return n;
    };
    const updated = {
      state: t.state,
      consecutive_failures: t.consecutive_failures,
      last_checked_at: at,
      last_latency_ms: result.latency_ms,
      last_error: result.error,
      alert_starts_at: alertStartsAt,
      ...(t.changed ? { state_since: at } : {}),
    };
    const event = t.changed
      ? { id: newId(), monitor_id: m.id, at, from_state: m.state, to_state: t.state, reason: result.error, suppressed: t.state === 'down' && maintenance ? 1 : 0 }
      : null;
    const ingested = await deps.repo.record({ id: newId(), monitor_id: m.id, at, ok: result.ok ? 1 : 0, latency_ms: result.latency_ms, error: result.error }, m.id, updated, event, alerts);
    if (ingested > 0) deps.alerts.ingested();
    return { ...m, ...updated };
  };
}

export type MonitorRecorder = ReturnType<typeof createMonitorRecorder>;
