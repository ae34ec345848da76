/** Another domain's counters as a plain object, e.g. the gateway's `metrics()` snapshot. */
export type MetricsSource = () => Record<string, unknown>;

export interface MetricsSourceOptions {
  /** Label name for a record of numbers, per key (e.g. `{ calls_total: 'outcome' }`); default `key`. */
  labels?: Record<string, string>;
}

interface HistogramShape {
  sum: number;
  count: number;
  buckets: { le: number | string; count: number }[];
}

/**
 * Renders a plain snapshot as Prometheus text, by shape, under `mcps_<source>_`:
 * - a number (or boolean): a gauge, or a counter when the name ends in `_total`;
 * - a record of numbers: one family with a label (`{ calls_total: { ok: 3 } }` ->
 *   `mcps_gateway_calls_total{outcome="ok"} 3`);
 * - `{ sum, count, buckets: [{ le, count }] }` (cumulative): a histogram; a name ending in `_ms`
 *   becomes `_seconds` with its bounds and sum converted;
 * - other nested objects: their fields, names joined with `_`.
 * Anything else (strings, arrays) is left out. A source that throws is skipped.
 */
export function renderSources(sources: Map<string, { source: MetricsSource; options: MetricsSourceOptions }>): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const [name, { source, options }] of sources) {
    let values: Record<string, unknown>;
    try {
      values = source();
    } catch {
      continue;
    }
    walk(`mcps_${name}`, values, options, out, seen, 0);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

function walk(prefix: string, obj: Record<string, unknown>, options: MetricsSourceOptions, out: string[], seen: Set<string>, depth: number): void {
  if (depth > 4) return;
  for (const [key, value] of Object.entries(obj)) {
    const name = sanitize(`${prefix}_${key}`);
    if (typeof value === 'number' || typeof value === 'boolean') {
      const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      if (Number.isFinite(v)) family(out, seen, name, typeOf(name), [`${name} ${v}`]);
    } else if (isHistogram(value)) {
      histogram(out, seen, name, value);
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > 0 && entries.every(([, v]) => typeof v === 'number' && Number.isFinite(v))) {
        const label = sanitize(options.labels?.[key] ?? 'key');
        family(out, seen, name, typeOf(name), entries.map(([k, v]) => `${name}{${label}="${escapeLabel(k)}"} ${v as number}`));
      } else {
        walk(name, value as Record<string, unknown>, options, out, seen, depth + 1);
      }
    }
  }
}

function histogram(out: string[], seen: Set<string>, name: string, h: HistogramShape): void {
  const ms = name.endsWith('_ms');
  const base = ms ? `${name.slice(0, -3)}_seconds` : name;
  const scale = (n: number) => (ms ? n / 1000 : n);
  const lines = h.buckets.map((b) => `${base}_bucket{le="${b.le === '+Inf' || b.le === Infinity ? '+Inf' : scale(Number(b.le))}"} ${b.count}`);
  if (!h.buckets.some((b) => b.le === '+Inf' || b.le === Infinity)) lines.push(`${base}_bucket{le="+Inf"} ${h.count}`);
  lines.push(`${base}_sum ${scale(h.sum)}`, `${base}_count ${h.count}`);
  family(out, seen, base, 'histogram', lines);
}

function family(out: string[], seen: Set<string>, name: string, type: string, lines: string[]): void {
  if (seen.has(name)) return;
  seen.add(name);
  out.push(`# HELP ${name} ${name.replace(/_/g, ' ')}`, `# TYPE ${name} ${type}`, ...lines);
}

function isHistogram(v: unknown): v is HistogramShape {
  if (!v || typeof v !== 'object') return false;
  const h = v as Partial<HistogramShape>;
  return typeof h.sum === 'number' && typeof h.count === 'number' && Array.isArray(h.buckets) &&
    h.buckets.every((b) => b && typeof b.count === 'number' && (typeof b.le === 'number' || b.le === '+Inf'));
}

const typeOf = (name: string) => (name.endsWith('_total') ? 'counter' : 'gauge');

export function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_+/g, '_').replace(/^([0-9])/, '_$1');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
