import type { Level } from './formats.js';
import { Reservoir, TimeHistogram } from './histogram.js';
import { detectSourceFormat, type LogSource, type ReadOptions, type SourceInfo } from './entries.js';
import { compileFilter, type EntryFilter } from './filters.js';
import { analyzeInParallel } from './analyze-parallel.js';
import { analyzeTextBytes } from './analyze-bytes.js';
import { MAX_GROUPS, Tally, type AnalyzePart, type Group } from './analyze-tally.js';
import { newReadStats } from './line-reader.js';
import { iso, mergeSummaries, readNotes, scanInto } from './scan.js';

export type { AnalyzePart } from './analyze-tally.js';

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

/**
 * One pass: entries, bytes, time range, counts per level, a time histogram, the top error/fatal
 * messages grouped with their variables masked, and for access logs the status classes and latency
 * percentiles. Big files are read by worker threads in parallel (analyze-parallel.ts).
 */
export async function analyzeLogs(sources: LogSource[], opt: ReadOptions, o: AnalyzeOptions) {
  const parts = (await analyzeInParallel(sources, opt, o)) ?? [await analyzePart(sources, opt, o)];
  return analysisResult(parts, o);
}

/**
 * Reads the sources on this thread. A source in the `text` format is read as bytes (analyze-bytes.ts) unless the
 * filter looks for a text or `byBytes` is false (the entry reader for every source: what the byte reader must equal).
 */
export async function analyzePart(sources: LogSource[], opt: ReadOptions, o: AnalyzeOptions, byBytes = true): Promise<AnalyzePart> {
  const tally = new Tally();
  const test = compileFilter(o.filter, opt.time);
  const read = newReadStats();
  const infos: SourceInfo[] = [];
  let entries = 0;
  let matched = 0;
  const bytesFit = byBytes && !o.filter.text;
  for (const source of sources) {
    const format = opt.format ?? (bytesFit ? await detectSourceFormat(source, opt) : undefined);
    const counted =
      bytesFit && format === 'text'
        ? await analyzeTextBytes(source, opt, read, infos, tally, test)
        : await scanInto([source], { ...opt, format }, test, (e) => {
            tally.count(e.ts, e.level);
            tally.access(e.status, e.latencyMs);
            if (e.level !== 'error' && e.level !== 'fatal') return;
            const made = tally.error(e.message, e.ts, e.level);
            if (made) made.example = e.lines.join('\n').slice(0, 2000);
          }, read, infos);
    entries += counted.entries;
    matched += counted.matched;
  }
  return tally.part({ sources: infos, read, entries, matched });
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
