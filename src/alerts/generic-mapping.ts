import { z } from 'zod';
import { AppError } from '../http/app-error.js';
import { isoTime } from './webhook-normalize.js';
import type { IncomingAlert } from './webhook-payloads.js';

const PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\['[^']*'\])*$/;
const path = z.string().max(500).regex(PATH, "a path like $.alert.labels['host'] or $.items[0].name");

/**
 * How a generic receiver reads any JSON sender: where the alerts are, and for each alert a path
 * (JSONPath subset: `$`, `.name`, `[index]`, `['name']`) to each field, relative to the alert.
 */
export const genericMapping = z.object({
  alerts: path.optional().describe('Path to the array of alerts in the body; absent: the body is one alert (or an array of them)'),
  status: path.optional().describe('Path to the status; absent: firing'),
  resolved_values: z.array(z.string().max(100)).max(20).default(['resolved', 'ok', 'OK', 'closed']).describe('Status values meaning resolved; anything else is firing'),
  labels: z.record(z.string().max(200), path).refine((l) => Object.keys(l).length > 0, 'at least one label').describe('Label name -> path'),
  static_labels: z.record(z.string().max(200), z.string().max(1000)).default({}).describe('Labels added to every alert'),
  annotations: z.record(z.string().max(200), path).default({}).describe('Annotation name -> path'),
  starts_at: path.optional().describe('Path to the start time (RFC 3339 or Unix seconds); absent: the open episode, else the time of receipt'),
  ends_at: path.optional(),
  fingerprint: path.optional().describe('Path to the sender\'s id of the alert; absent: computed from the labels as Prometheus does'),
  generator_url: path.optional(),
});
export type GenericMapping = z.infer<typeof genericMapping>;

/** The value at `p` in `value`, or undefined. */
export function readPath(value: unknown, p: string): unknown {
  const steps = p.slice(1).match(/\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\['[^']*'\]/g) ?? [];
  let cur = value;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = step.startsWith('.') ? step.slice(1) : step.startsWith("['") ? step.slice(2, -2) : Number(step.slice(1, -1));
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

const asText = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));

function timeAt(item: unknown, p: string | undefined, field: string): string | null {
  if (!p) return null;
  const v = readPath(item, p);
  if (v === undefined || v === null || v === '') return null;
  return typeof v === 'number' ? new Date(v * 1000).toISOString() : isoTime(String(v), field);
}

function textMap(item: unknown, paths: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(paths)) {
    const v = asText(readPath(item, p));
    if (v !== null) out[name] = v;
  }
  return out;
}

function toAlert(item: unknown, m: GenericMapping, i: number): IncomingAlert {
  const labels = { ...m.static_labels, ...textMap(item, m.labels) };
  if (Object.keys(labels).length === 0) throw new AppError('validation', `alert ${i}: no label found by the mapping`, { errors: [{ field: `alerts[${i}]`, message: 'no label found' }] });
  const status = m.status ? asText(readPath(item, m.status)) : null;
  return {
    status: status !== null && m.resolved_values.includes(status) ? 'resolved' : 'firing',
    labels,
    annotations: textMap(item, m.annotations),
    startsAt: timeAt(item, m.starts_at, `alerts[${i}].starts_at`) ?? '',
    endsAt: timeAt(item, m.ends_at, `alerts[${i}].ends_at`),
    generatorURL: m.generator_url ? asText(readPath(item, m.generator_url)) : null,
    fingerprint: m.fingerprint ? asText(readPath(item, m.fingerprint)) : null,
    extra: null,
  };
}

/** The alerts of a generic body; `startsAt` is '' when the mapping gives none (the store picks it). */
export function mapGenericBody(body: unknown, m: GenericMapping): IncomingAlert[] {
  const found = m.alerts ? readPath(body, m.alerts) : body;
  if (found === undefined) throw new AppError('validation', `no alerts at ${m.alerts}`, { errors: [{ field: 'body', message: `nothing at ${m.alerts}` }] });
  const items = Array.isArray(found) ? found : [found];
  if (items.length > 10_000) throw new AppError('validation', 'more than 10000 alerts in one body');
  return items.map((item, i) => toAlert(item, m, i));
}
