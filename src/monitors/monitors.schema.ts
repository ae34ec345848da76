import { z } from 'zod';
import { checkSpec } from './checks/check-spec.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'letters, digits, _ . : - (at most 100, starting with a letter or digit)');
const severity = z.enum(['critical', 'warning', 'info']);

export const monitorFields = z.object({
  name,
  description: z.string().max(2000).nullable().optional(),
  check: checkSpec,
  interval_seconds: z.number().int().min(5).max(86_400).default(60).describe('How often it runs (ignored when cron is set); push: the silence allowed'),
  cron: z.string().min(1).max(200).nullable().optional().describe('A croner expression instead of the interval, e.g. "*/5 * * * *"'),
  failures_before_down: z.number().int().min(1).max(100).default(3).describe('Failures in a row before it is down'),
  severity: severity.default('critical').describe('The severity label of its alert'),
  enabled: z.boolean().default(true),
});
export const createMonitorBody = monitorFields;
export const updateMonitorBody = z.object({
  name: name.optional(),
  description: z.string().max(2000).nullable().optional(),
  check: checkSpec.optional(),
  interval_seconds: z.number().int().min(5).max(86_400).optional(),
  cron: z.string().min(1).max(200).nullable().optional(),
  failures_before_down: z.number().int().min(1).max(100).optional(),
  severity: severity.optional(),
  enabled: z.boolean().optional(),
});
export type CreateMonitorInput = z.infer<typeof createMonitorBody>;
export type UpdateMonitorInput = z.infer<typeof updateMonitorBody>;

export const aggregate = z.object({
  checks: z.number(),
  ups: z.number(),
  uptime: z.number().nullable().describe('0..1'),
  latency_avg_ms: z.number().nullable(),
  latency_p50_ms: z.number().nullable(),
  latency_p95_ms: z.number().nullable(),
  latency_p99_ms: z.number().nullable(),
  latency_max_ms: z.number().nullable(),
});
export const uptimeWindows = z.object({ '24h': aggregate, '7d': aggregate, '30d': aggregate, '365d': aggregate });

export const monitorView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  check: z.record(z.string(), z.unknown()).describe('The check (kind, target with any password masked, options)'),
  kind: z.string(),
  interval_seconds: z.number(),
  cron: z.string().nullable(),
  failures_before_down: z.number(),
  severity: z.string(),
  enabled: z.boolean(),
  state: z.enum(['unknown', 'up', 'down']),
  state_since: z.string().nullable(),
  consecutive_failures: z.number(),
  last_checked_at: z.string().nullable(),
  last_latency_ms: z.number().nullable(),
  last_error: z.string().nullable(),
  alert_open: z.boolean(),
  in_maintenance: z.boolean(),
  next_run_at: z.string().nullable(),
  uptime_24h: z.number().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const monitorList = z.object({ items: z.array(monitorView), total: z.number() });
export const createdMonitor = monitorView.extend({ push_url: z.string().nullable().describe('Push monitors: the URL a job calls (shown once)') });

export const monitorEvent = z.object({ at: z.string(), from_state: z.string(), to_state: z.string(), reason: z.string().nullable(), suppressed: z.boolean() });
export const maintenanceView = z.object({ id: z.string(), monitor_id: z.string().nullable(), starts_at: z.string(), ends_at: z.string(), comment: z.string(), created_by: z.string().nullable(), created_at: z.string(), active: z.boolean() });
export const maintenanceList = z.object({ items: z.array(maintenanceView) });
export const createMaintenanceBody = z.object({
  starts_at: z.iso.datetime().optional().describe('Default: now'),
  ends_at: z.iso.datetime().optional(),
  duration_minutes: z.number().int().min(1).max(525_600).optional().describe('Instead of ends_at'),
  comment: z.string().min(1).max(2000),
});
export type CreateMaintenanceInput = z.infer<typeof createMaintenanceBody>;

export const monitorStatus = monitorView.extend({
  uptime: uptimeWindows,
  events: z.array(monitorEvent),
  recent: z.array(z.object({ at: z.string(), ok: z.boolean(), latency_ms: z.number().nullable(), error: z.string().nullable() })),
  maintenance: z.array(maintenanceView),
});

export const historyQuery = z.object({ window: z.enum(['24h', '7d', '30d', '365d']).default('24h') });
export const historyView = z.object({
  window: z.string(),
  resolution: z.enum(['minute', 'hour', 'day']),
  points: z.array(z.object({ t: z.string(), checks: z.number(), ups: z.number(), latency_avg_ms: z.number().nullable(), latency_max_ms: z.number().nullable() })),
  events: z.array(monitorEvent),
});

export const checkResultView = z.object({ ok: z.boolean(), latency_ms: z.number().nullable(), error: z.string().nullable(), details: z.record(z.string(), z.unknown()), checked_at: z.string() });
export const runResultView = z.object({ result: checkResultView, monitor: monitorView });

export const idParams = z.object({ id: z.string().min(1).max(100) });
export const pushParams = z.object({ token: z.string().min(16).max(200) });
export const pushQuery = z.object({ status: z.enum(['up', 'down']).default('up'), msg: z.string().max(1000).optional(), ping: z.coerce.number().min(0).max(3_600_000).optional().describe('A latency to record, in ms') });
export const schedulerStats = z.object({ scheduled: z.number(), started: z.number(), skipped_busy: z.number(), start_delay_p50_ms: z.number(), start_delay_p99_ms: z.number(), start_delay_max_ms: z.number() });
