import { AppError } from '../http/app-error.js';
import type { GrafanaPayload, IncomingAlert } from './webhook-payloads.js';

type SenderAlert = GrafanaPayload['alerts'][number];

/** Go's zero time: Alertmanager sends it as endsAt for alerts that have no end yet. */
const GO_ZERO = /^0001-01-01T00:00:00/;

/** An ISO timestamp normalized to UTC milliseconds, or a 400 naming the field. */
export function isoTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AppError('validation', `${field}: not a timestamp: ${value.slice(0, 64)}`, { errors: [{ field, message: 'not an RFC 3339 timestamp' }] });
  return new Date(ms).toISOString();
}

function endOf(a: SenderAlert, i: number): string | null {
  if (!a.endsAt || GO_ZERO.test(a.endsAt)) return null;
  return isoTime(a.endsAt, `alerts[${i}].endsAt`);
}

const GRAFANA_EXTRA = ['values', 'valueString', 'dashboardURL', 'panelURL', 'silenceURL', 'imageURL'] as const;

function extraOf(a: SenderAlert): Record<string, unknown> | null {
  const extra = Object.fromEntries(GRAFANA_EXTRA.filter((k) => a[k] !== undefined && a[k] !== '').map((k) => [k, a[k]]));
  return Object.keys(extra).length ? extra : null;
}

/** The alerts of an Alertmanager or Grafana body, as the store takes them. */
export function normalizeAlerts(alerts: SenderAlert[]): IncomingAlert[] {
  return alerts.map((a, i) => ({
    status: a.status,
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: isoTime(a.startsAt, `alerts[${i}].startsAt`),
    endsAt: endOf(a, i),
    generatorURL: a.generatorURL || null,
    fingerprint: a.fingerprint || null,
    extra: extraOf(a),
  }));
}
