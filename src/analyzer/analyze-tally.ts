import type { Level } from './formats.js';
import { Reservoir, TimeHistogram } from './histogram.js';
import { BYTES_KEY_MAX, BytesCache } from './bytes-cache.js';
import { maskInto } from './mask.js';
import { maskedHash, MaskedMap, maskedString, putMasked } from './masked-map.js';
import type { ScanSummary } from './scan.js';

/** The masked text (first 1000 characters) of error messages by their exact bytes, on this thread (masking is pure). */
const MASKED_BY_BYTES = new BytesCache<string>();
/** Masked texts remembered per pass (a cache in front of the groups: cleared when full). */
const BY_MASKED_MAX = 50_000;

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
  /** Masked texts (from MASKED_BY_BYTES) → their group in this pass (null: not grouped, MAX_GROUPS was reached). */
  private readonly byMasked = new Map<string, Group | null>();
  /** The length of the masked text the last `error` call wrote to MASKED. */
  private maskedLength = 0;
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
  error(message: string, ts: number | null, level: Level, masked = false): Group | null {
    const n = masked ? putMasked(message) : maskInto(message, 0, Math.min(message.length, 1000));
    this.maskedLength = n;
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
   * `error` for a message given as valid UTF-8 bytes b[from, to). Masking is a function of the message alone, so the
   * masked text of a message seen before with exactly these bytes (by any pass on this thread) is taken from
   * MASKED_BY_BYTES, and this pass's group for that text from `byMasked` (null: no room was left for it then, and
   * groups are never dropped, so none is now): no decoding, no masking.
   */
  errorBytes(b: Buffer, from: number, to: number, ts: number | null, level: Level): Group | null {
    let key = MASKED_BY_BYTES.get(b, from, to);
    if (key !== undefined) {
      const known = this.byMasked.get(key);
      if (known !== undefined) {
        if (known === null) this.ungrouped++;
        else seen(known, ts);
        return null;
      }
      const made = this.error(key, ts, level, true);
      this.remember(key, this.found);
      return made;
    }
    const message = b.toString('utf8', from, to);
    if (to - from > BYTES_KEY_MAX) return this.error(message, ts, level);
    const made = this.error(message, ts, level);
    key = maskedString(this.maskedLength);
    MASKED_BY_BYTES.set(b, from, to, key);
    this.remember(key, this.found);
    return made;
  }

  private remember(key: string, g: Group | null): void {
    if (this.byMasked.size >= BY_MASKED_MAX) this.byMasked.clear();
    this.byMasked.set(key, g);
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
