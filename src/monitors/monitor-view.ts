import type { z } from 'zod';
import type { CheckSpec } from './checks/check-spec.js';
import type { monitorView } from './monitors.schema.js';
import type { MonitorRow } from './monitors.table.js';

/** The check as stored: kind and target in columns, the rest of the options as JSON. */
export function checkOf(row: Pick<MonitorRow, 'kind' | 'target' | 'options'>): CheckSpec {
  return { ...(JSON.parse(row.options) as object), kind: row.kind, target: row.target } as CheckSpec;
}

/** A password written in a connection string is shown as ***; a `${secret:NAME}` reference is kept. */
export function maskTarget(target: string): string {
  return target.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)([^@]*)@/i, (all, head: string, pw: string) => (pw.startsWith('${secret:') ? all : `${head}***@`));
}

export function toMonitorView(row: MonitorRow, extra: { nextRun: number | null; inMaintenance: boolean; uptime24h: number | null }): z.infer<typeof monitorView> {
  const check = checkOf(row);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    check: { ...check, target: maskTarget(check.target) },
    kind: row.kind,
    interval_seconds: row.interval_seconds,
    cron: row.cron,
    failures_before_down: row.failures_before_down,
    severity: row.severity,
    enabled: row.enabled === 1,
    state: row.state,
    state_since: row.state_since,
    consecutive_failures: row.consecutive_failures,
    last_checked_at: row.last_checked_at,
    last_latency_ms: row.last_latency_ms,
    last_error: row.last_error,
    alert_open: row.alert_starts_at !== null,
    in_maintenance: extra.inMaintenance,
    next_run_at: extra.nextRun !== null && Number.isFinite(extra.nextRun) ? new Date(extra.nextRun).toISOString() : null,
    uptime_24h: extra.uptime24h,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
