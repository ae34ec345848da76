import { z } from 'zod';
import { matchersSchema } from './label-matchers.js';

const labels = z.record(z.string(), z.string());

export const alertView = z.object({
  id: z.string(),
  fingerprint: z.string(),
  status: z.enum(['firing', 'resolved']),
  starts_at: z.string(),
  ends_at: z.string().nullable(),
  labels,
  annotations: labels,
  generator_url: z.string().nullable(),
  source: z.string(),
  receiver_id: z.string(),
  extra: z.record(z.string(), z.unknown()).nullable(),
  received_count: z.number().int(),
  first_received_at: z.string(),
  last_received_at: z.string(),
  acked_at: z.string().nullable(),
  acked_by: z.string().nullable(),
  resolved_by: z.string().nullable(),
  silenced_by: z.array(z.string()).describe('Ids of the active silences muting it'),
  inhibited_by: z.array(z.string()).describe('Names of the inhibition rules muting it'),
}).meta({ id: 'Alert' });

export const alertGroup = z.object({
  key: z.string().describe('The grouping labels, e.g. alertname="HighLatency"'),
  labels,
  firing: z.number().int(),
  resolved: z.number().int(),
  alerts: z.array(alertView),
});

export const listAlertsQuery = z.object({
  state: z.enum(['firing', 'resolved', 'all']).default('firing').describe('firing: what fires now; resolved/all: history too'),
  days: z.coerce.number().int().min(1).max(365).default(7).describe('History window for resolved/all'),
  matchers: z.string().max(2000).optional().describe('Comma-separated label matchers, e.g. severity="critical",job=~"api.*"'),
  group_by: z.string().max(500).default('alertname').describe('Comma-separated label names to group by'),
  include_muted: z.enum(['true', 'false']).default('true').describe('false: leave out silenced, inhibited and acknowledged alerts'),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export const alertList = z.object({
  total: z.number().int(),
  left_out: z.number().int().describe('Alerts that matched but were beyond the limit'),
  groups: z.array(alertGroup),
});

export const alertParams = z.object({ id: z.string().min(1).max(100) });
export const noteBody = z.object({ text: z.string().min(1).max(10_000) });
export const noteView = z.object({ id: z.string(), alert_id: z.string(), author: z.string(), text: z.string(), created_at: z.string() });
export const alertDetail = alertView.extend({ notes: z.array(noteView) });
export const ackBody = z.object({ comment: z.string().max(2000).optional() }).default({});

export const silenceView = z.object({
  id: z.string(),
  matchers: matchersSchema,
  starts_at: z.string(),
  ends_at: z.string(),
  created_by: z.string(),
  comment: z.string(),
  state: z.enum(['pending', 'active', 'expired']),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: 'Silence' });
export const createSilenceBody = z.object({
  matchers: matchersSchema.min(1),
  starts_at: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
  ends_at: z.iso.datetime({ offset: true }).optional(),
  duration_minutes: z.number().int().min(1).max(525_600).optional().describe('Instead of ends_at'),
  comment: z.string().min(1).max(2000),
});
export const updateSilenceBody = createSilenceBody.partial();
export const silenceList = z.object({ items: z.array(silenceView) });
export const silencesQuery = z.object({ state: z.enum(['active', 'pending', 'expired', 'all']).default('all') });

export const inhibitRuleView = z.object({
  id: z.string(),
  name: z.string(),
  source_matchers: matchersSchema,
  target_matchers: matchersSchema,
  equal: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: 'InhibitRule' });
export const inhibitRuleBody = z.object({
  name: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/),
  source_matchers: matchersSchema.min(1),
  target_matchers: matchersSchema.min(1),
  equal: z.array(z.string().min(1).max(200)).max(30).default([]),
});
export const inhibitRuleList = z.object({ items: z.array(inhibitRuleView) });

export type AlertView = z.infer<typeof alertView>;
export type AlertList = z.infer<typeof alertList>;
export type ListAlertsInput = z.input<typeof listAlertsQuery>;
export type SilenceView = z.infer<typeof silenceView>;
export type CreateSilenceInput = z.infer<typeof createSilenceBody>;
export type InhibitRuleView = z.infer<typeof inhibitRuleView>;
export type InhibitRuleInput = z.infer<typeof inhibitRuleBody>;
