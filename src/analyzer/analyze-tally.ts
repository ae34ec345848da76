import type { Level } from './formats.js';
import { Reservoir, TimeHistogram } from './histogram.js';
import { BytesCache } from './bytes-cache.js';
import { maskInto } from './mask.js';
import { maskedHash, MaskedMap, maskedString } from './masked-map.js';
import type { ScanSummary } from './scan.js';

/** Distinct error patterns kept while reading; later new ones are only counted. */
export const MAX_GROUPS = 10_000;

export interface Group {
  count: number;
  level: Level;
  first: number | null;
  last: number | null;
  example: string;
}

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

/** The counts of one pass, fed entry by entry (by the entry reader or the byte-level one, in input order). */
export class Tally {
  readonly levels: Record<Level | 'none', number> = { trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0, none: 0 };
  private readonly histogram = new TimeHistogram();
  private readonly groups = new MaskedMap<Group>();
  private ungrouped = 0;
  private readonly statusClasses: Record<string, number> = {};
  private readonly latency = new Reservoir();
  private min: number | null = null;
  private max: number | null = null;
  /** Error messages by their exact bytes → their group (null: not grouped, MAX_GROUPS was reached). */
  private readonly exact = new BytesCache<Group | null>();
  /** The group the last `error` call counted the message in (null: not grouped). */
  private found: Group | null = null;

  /** An entry that passed the filter: its level and time. */
  count(ts: number | null, level: Level | null): void {
    this.levels[level ?? 'none']++;
    if (ts !== null) {
      this.histogram.add(ts);
      if (this.min === null || ts < this.min) this.min = ts;
      if (this.max === null || ts > this.max) this.max = ts;
    }
  }

  access(status: number | undefined, latencyMs: number | undefined): void {
    if (status !== undefined) this.statusClasses[`${Math.floor(status / 100)}xx`] = (this.statusClasses[`${Math.floor(status / 100)}xx`] ?? 0) + 1;
    if (latencyMs !== undefined) this.latency.add(latencyMs);
  }

  /**
   * An error or fatal entry, grouped by its message with the variables masked (first 1000 characters). Returns the
   * group when this entry made it (its example is for the caller to set), else null.
   */
  error(message: string, ts: number | null, level: Level): Group | null {
    const n = maskInto(message, 0, Math.min(message.length, 1000));
    const h = maskedHash(n);
    const g = this.groups.get(n, h);
    this.found = g ?? null;
    if (g) {
      seen(g, ts);
      return null;
    }
    if (this.groups.size >= MAX_GROUPS) {
      this.ungrouped++;
      return null;
    }
    const made: Group = { count: 1, level, first: ts, last: ts, example: '' };
    this.groups.set(h, maskedString(n), made);
    this.found = made;
    return made;
  }

  /**
   * `error` for a message given as valid UTF-8 bytes b[from, to): a message seen before with exactly these bytes
   * goes to the group it went to then (or is counted as ungrouped again: groups are never dropped, so a message that
   * found no room then finds none now) without being decoded or masked again.
   */
  errorBytes(b: Buffer, from: number, to: number, ts: number | null, level: Level): Group | null {
    const known = this.exact.get(b, from, to);
    if (known !== undefined) {
      if (known === null) this.ungrouped++;
      else seen(known, ts);
      return null;
    }
    const made = this.error(b.toString('utf8', from, to), ts, level);
    this.exact.set(b, from, to, this.found);
    return made;
  }

  part(summary: ScanSummary): AnalyzePart {
    const { levels, histogram, groups, ungrouped, statusClasses, latency, min, max } = this;
    return { summary, levels, histogram: histogram.slots(), groups: [...groups.entries()], ungrouped, statusClasses, latency: latency.sample(), min, max };
  }
}

/** One more entry of a group, at time ts. */
function seen(g: Group, ts: number | null): void {
  g.count++;
  if (ts !== null && (g.first === null || ts < g.first)) g.first = ts;
  if (ts !== null && (g.last === null || ts > g.last)) g.last = ts;
}
