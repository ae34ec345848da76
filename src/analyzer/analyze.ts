import type { Level } from './formats.js';
import { Reservoir, TimeHistogram } from './histogram.js';
import { maskInto } from './mask.js';
import { maskedHash, MaskedMap, maskedString } from './masked-map.js';
import type { LogSource, ReadOptions } from './entries.js';
import type { EntryFilter } from './filters.js';
import { analyzeInParallel } from './analyze-parallel.js';
import { iso, mergeSummaries, readNotes, scan, type ScanSummary } from './scan.js';

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

/** What one pass over some sources found (plain data: a worker thread hands it back), before merging. */
export interface AnalyzePart {
  summary: ScanSummary;
  levels: Record<Level | 'none', number>;
  histogram: [number, number][];
  groups: [string, Group][];
  ungrouped: number;
  statusClasses: Record<string, number>;
  latency: { values: number[]; seen: number };
  min: number | null;
  max: number | null;
}

interface Group {
  count: number;
  level: Level;
  first: number | null;
  last: number | null;
  example: string;
}

/**
 * One pass: entries, bytes, time range, counts per level, a time histogram, the top error/fatal
 * messages grouped with their variables masked, and for access logs the status classes and latency
 * percentiles. Big files are read by worker threads in parallel (analyze-parallel.ts).
 */
export async function analyzeLogs(sources: LogSource[], opt: ReadOptions, o: AnalyzeOptions) {
  const parts = (await analyzeInParallel(sources, opt, o)) ?? [await analyzePart(sources, opt, o)];
  return analysisResult(parts, o);
}

/** Reads the sources on this thread. */
export async function analyzePart(sources: LogSource[], opt: ReadOptions, o: AnalyzeOptions): Promise<AnalyzePart> {
  const levels: Record<Level | 'none', number> = { trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0, none: 0 };
  const histogram = new TimeHistogram();
  const groups = new MaskedMap<Group>();
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
  return { summary, levels, histogram: histogram.slots(), groups: [...groups.entries()], ungrouped, statusClasses, latency: latency.sample(), min, max };
}

/** Merges parts (in the order of the input: the first part to see an error keeps its example) into the result. */
export function analysisResult(parts: AnalyzePart[], o: AnalyzeOptions) {
  const [first, ...rest] = parts as [AnalyzePart, ...AnalyzePart[]];
  const summary = mergeSummaries(parts.map((p) => p.summary));
  const levels = { ...first.levels };
  const histogram = new TimeHistogram();
  const groups = new Map<string, Group>(first.groups);
  let ungrouped = first.ungrouped;
  const statusClasses = { ...first.statusClasses };
  const latency = new Reservoir();
  let { min, max } = first;
  histogram.addSlots(first.histogram);
  latency.addSample(first.latency);
  for (const p of rest) {
    for (const k of Object.keys(levels) as (keyof typeof levels)[]) levels[k] += p.levels[k];
    histogram.addSlots(p.histogram);
    for (const [pattern, g] of p.groups) {
      const known = groups.get(pattern);
      if (known) {
        known.count += g.count;
        if (g.first !== null && (known.first === null || g.first < known.first)) known.first = g.first;
        if (g.last !== null && (known.last === null || g.last > known.last)) known.last = g.last;
      } else if (groups.size < MAX_GROUPS) groups.set(pattern, { ...g });
      else ungrouped += g.count;
    }
    ungrouped += p.ungrouped;
    for (const [k, v] of Object.entries(p.statusClasses)) statusClasses[k] = (statusClasses[k] ?? 0) + v;
    latency.addSample(p.latency);
    if (p.min !== null && (min === null || p.min < min)) min = p.min;
    if (p.max !== null && (max === null || p.max > max)) max = p.max;
  }
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

export type AnalyzeResult = ReturnType<typeof analysisResult>;
