import type { Selectable } from 'kysely';

/** The states a monitor is in; `unknown` until its first check. */
export type MonitorState = 'unknown' | 'up' | 'down';

/**
 * One scheduled check: what to check (kind, target, options as JSON), when (interval or cron), how
 * many failures in a row make it down, and its current state. A push monitor's token is stored hashed.
 */
export interface MonitorTable {
  id: string;
  name: string;
  kind: 'http' | 'tcp' | 'dns' | 'postgres' | 'redis' | 'mcp' | 'push';
  target: string;
  /** JSON: the kind's options (expected status, keyword, JSON path, record type...). */
  options: string;
  interval_seconds: number;
  /** A croner expression; when set it replaces the interval. */
  cron: string | null;
  timeout_ms: number;
  failures_before_down: number;
  severity: string;
  enabled: number;
  description: string | null;
  push_token_hash: string | null;
  state: MonitorState;
  state_since: string | null;
  consecutive_failures: number;
  last_checked_at: string | null;
  last_latency_ms: number | null;
  last_error: string | null;
  /** startsAt of the alert episode opened for the current outage (null: none open). */
  alert_starts_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** One check's outcome, kept briefly (MONITOR_RAW_RETENTION_HOURS) before it is rolled up. */
export interface MonitorResultTable {
  id: string;
  monitor_id: string;
  at: string;
  ok: number;
  latency_ms: number | null;
  error: string | null;
}

/**
 * Results rolled up per bucket: `m` (minute, kept 24 h), `h` (hour, 30 d), `d` (day, 365 d). The
 * latency histogram (JSON counts over LATENCY_BOUNDS) gives percentiles at any resolution.
 */
export interface MonitorRollupTable {
  monitor_id: string;
  resolution: 'm' | 'h' | 'd';
  bucket: string;
  checks: number;
  ups: number;
  latency_sum: number;
  latency_max: number;
  histogram: string;
}

/** A state change (up, down), with the error that caused it. */
export interface MonitorEventTable {
  id: string;
  monitor_id: string;
  at: string;
  from_state: string;
  to_state: string;
  reason: string | null;
  /** 1 when a maintenance window kept the alert from opening. */
  suppressed: number;
}

/** A period during which a monitor (or every monitor, monitor_id null) opens no alert. */
export interface MonitorMaintenanceTable {
  id: string;
  monitor_id: string | null;
  starts_at: string;
  ends_at: string;
  comment: string;
  created_by: string | null;
  created_at: string;
}

export type MonitorRow = Selectable<MonitorTable>;
export type MonitorResultRow = Selectable<MonitorResultTable>;
export type MonitorRollupRow = Selectable<MonitorRollupTable>;
export type MonitorEventRow = Selectable<MonitorEventTable>;
export type MonitorMaintenanceRow = Selectable<MonitorMaintenanceTable>;
