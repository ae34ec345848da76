import { z } from 'zod';

const labelSet = z.record(z.string().max(1000), z.string().max(10_000));
const timestamp = z.string().max(64);

/** One alert as Alertmanager's webhook (version 4) sends it; fields it may add later are kept out, not refused. */
export const alertmanagerAlert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.optional().default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().max(4000).optional(),
  fingerprint: z.string().max(64).optional(),
});

/** Alertmanager's webhook body (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const alertmanagerPayload = z.looseObject({
  version: z.string().max(10).optional(),
  groupKey: z.string().max(10_000).optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().max(1000).optional(),
  groupLabels: labelSet.optional(),
  commonLabels: labelSet.optional(),
  commonAnnotations: labelSet.optional(),
  externalURL: z.string().max(4000).optional(),
  alerts: z.array(alertmanagerAlert).max(10_000),
});

/** Grafana alerting's webhook contact point: Alertmanager's body plus its own fields. */
export const grafanaAlert = alertmanagerAlert.extend({
  values: z.record(z.string(), z.number().nullable()).nullable().optional(),
  valueString: z.string().max(10_000).optional(),
  dashboardURL: z.string().max(4000).optional(),
  panelURL: z.string().max(4000).optional(),
  silenceURL: z.string().max(4000).optional(),
  imageURL: z.string().max(4000).optional(),
});

export const grafanaPayload = alertmanagerPayload.extend({
  orgId: z.number().int().optional(),
  title: z.string().max(10_000).optional(),
  state: z.string().max(64).optional(),
  message: z.string().max(100_000).optional(),
  alerts: z.array(grafanaAlert).max(10_000),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayload>;
export type GrafanaPayload = z.infer<typeof grafanaPayload>;

/** An alert as the store takes it, whichever sender it came from. */
export interface IncomingAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string | null;
  fingerprint: string | null;
  extra: Record<string, unknown> | null;
}
