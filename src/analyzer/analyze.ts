import type { Level } from './formats.js';
import { Reservoir, TimeHistogram } from './histogram.js';
import { maskInto } from './mask.js';
import { maskedHash, MaskedMap, maskedString } from './masked-map.js';
import type { LogSource, ReadOptions } from './entries.js';
import type { EntryFilter } from './filters.js';
import { iso, readNotes, scan, type ScanSummary } from './scan.js';

export interface AnalyzeOptions {
  filter: EntryFilter;
  /** Error groups listed (the rest are counted in `omitted`). */
  topErrors: number;
}

export interface ErrorGroup {
  pattern: string;
  count: number;
  level: Level;
  first_seen: string | null;
  last_seen: string | null;
  example: string;
}

/** Distinct error patterns kept while reading; later new ones are only counted. */
const MAX_GROUPS = 10_000;

/**
 * One pass: entries, bytes, time range, counts per level, a time histogram, the top error/fatal
 * messages grouped with their variables masked, and for access logs the status classes and latency
 * percentiles.
 */
export async function analyzeLogs(sources: LogSource[], opt: ReadOptions, o: AnalyzeOptions) {
  const levels: Record<Level | 'none', number> = { trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0, none: 0 };
  const histogram = new TimeHistogram();
  const groups = new MaskedMap<{ count: number; level: Level; first: number | null; last: number | null; example: string }>();
  let ungrouped = 0;
  const statusClasses: Record<string, number> = {};
  const latency = new Reservoir();
  let min: number | null = null;
  let max: number | null = null;
  const summary: ScanSummary = await scan(sources, opt, o.filter, (e) => {
    levels[e.level ?? 'none']++;
    if (e.ts !== null) {
      histogram.add(e.ts);
      if (min === null || e.ts < min) min = e.ts;
      if (max === null || e.ts > max) max = e.ts;
    }
    if (e.status !== undefined) statusClasses[`${Math.floor(e.status / 100)}xx`] = (statusClasses[`${Math.floor(e.status / 100)}xx`] ?? 0) + 1;
    if (e.latencyMs !== undefined) latency.add(e.latencyMs);
    if (e.level !== 'error' && e.level !== 'fatal') return;
    const n = maskInto(e.message, 0, Math.min(e.message.length, 1000));
    const h = maskedHash(n);
    const g = groups.get(n, h);
    if (g) {
      g.count++;
      if (e.ts !== null && (g.first === null || e.ts < g.first)) g.first = e.ts;
      if (e.ts !== null && (g.last === null || e.ts > g.last)) g.last = e.ts;
    } else if (groups.size < MAX_GROUPS) groups.set(h, maskedString(n), { count: 1, level: e.level, first: e.ts, last: e.ts, example: e.lines.join('\n').slice(0, 2000) });
    else ungrouped++;
  });
  const sorted = [...groups.entries()].sort((a, b) => b[1].count - a[1].count);
  const hist = histogram.buckets();
  const notes = readNotes(summary);
  if (ungrouped) notes.push(`${ungrouped} error entries fell outside the ${MAX_GROUPS} distinct patterns kept`);
  const statusTotal = Object.values(statusClasses).reduce((a, b) => a + b, 0);
  return {
    sources: summary.sources,
    entries: summary.entries,
    matched: summary.matched,
    bytes: summary.read.bytes,
    lines: summary.read.lines,
    time_range: min === null ? null : { from: iso(min), to: iso(max) },
    levels,
    histogram: { bucket_seconds: hist.bucketSeconds, buckets: hist.buckets },
    top_errors: {
      items: sorted.slice(0, o.topErrors).map(([pattern, g]): ErrorGroup => ({ pattern, count: g.count, level: g.level, first_seen: iso(g.first), last_seen: iso(g.last), example: g.example })),
      groups: groups.size,
      omitted: Math.max(0, sorted.length - o.topErrors),
    },
    access: statusTotal ? { requests: statusTotal, status_classes: statusClasses, latency_ms: latency.count ? ({ samples: latency.count, ...latency.percentiles([50, 90, 95, 99]) } as Record<string, number>) : null } : null,
    notes,
  };
}

export type AnalyzeResult = Awaited<ReturnType<typeof analyzeLogs>>;
