import { LEVELS, type Level } from './formats.js';
import { Reservoir, TimeHistogram } from './histogram.js';
import { BYTES_KEY_MAX, BytesCache } from './bytes-cache.js';
import { maskInto } from './mask.js';
import { maskedHash, MaskedMap, maskedString, putMasked } from './masked-map.js';
import type { ScanSummary } from './scan.js';

/** The masked text of an error message (first 1000 characters), and the group the last pass to see it counted it in. */
interface Masked {
  text: string;
  pass: Tally;
  group: Group | null;
}

/** Masked texts of error messages by their exact bytes, on this thread (masking is pure). */
const MASKED_BY_BYTES = new BytesCache<Masked>();

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
  /** Slot, count, slot, count... (TimeHistogram.slots). */
  histogram: Float64Array;
  groups: [string, Group][];
  ungrouped: number;
  statusClasses: Record<string, number>;
  latency: { values: number[]; seen: number };
  min: number | null;
  max: number | null;
}

/** The counts of one pass, fed entry by entry (by the entry reader or the byte-level one, in input order). */
export class Tally {
  /** Entries per level, by levelIndex (the last slot: no level). */
  private readonly levels = new Float64Array(LEVELS.length + 1);
  private readonly histogram = new TimeHistogram();
  private readonly groups = new MaskedMap<Group>();
  private ungrouped = 0;
  private readonly statusClasses: Record<string, number> = {};
  private readonly latency = new Reservoir();
  /** The time range seen (Infinity, -Infinity: none): always numbers, so storing one allocates nothing. */
  private min = Infinity;
  private max = -Infinity;
  /** The length of the masked text the last `error` call wrote to MASKED. */
  private maskedLength = 0;
  /** The group the last `error` call counted the message in (null: not grouped). */
  private found: Group | null = null;

  /** An entry that passed the filter: its level and time. */
  count(ts: number | null, level: Level | null): void {
    this.levels[levelIndex(level)]!++;
    if (ts !== null) {
      this.histogram.add(ts);
      if (ts < this.min) this.min = ts;
      if (ts > this.max) this.max = ts;
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
   * MASKED_BY_BYTES, with the group the last pass to see it counted it in: when that pass is this one, the entry is
   * counted there with no look-up at all (null: no room was left for its pattern then, and groups are never dropped,
   * so there is none now).
   */
  errorBytes(b: Buffer, from: number, to: number, ts: number | null, level: Level): Group | null {
    let known = MASKED_BY_BYTES.get(b, from, to);
    if (known !== undefined && known.pass === this) {
      if (known.group === null) this.ungrouped++;
      else seen(known.group, ts);
      return null;
    }
    let made: Group | null;
    if (known !== undefined) made = this.error(known.text, ts, level, true);
    else {
      made = this.error(b.toString('utf8', from, to), ts, level);
      if (to - from > BYTES_KEY_MAX) return made;
      known = { text: maskedString(this.maskedLength), pass: this, group: null };
      MASKED_BY_BYTES.set(b, from, to, known);
    }
    known.pass = this;
    known.group = this.found;
    return made;
  }

  part(summary: ScanSummary): AnalyzePart {
    const { histogram, groups, ungrouped, statusClasses, latency, min, max } = this;
    const levels = { trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0, none: this.levels[LEVELS.length]! };
    LEVELS.forEach((level, i) => (levels[level] = this.levels[i]!));
    const range = min <= max ? { min, max } : { min: null, max: null };
    return { summary, levels, histogram: histogram.slots(), groups: [...groups.entries()], ungrouped, statusClasses, latency: latency.sample(), ...range };
  }
}

/** The slot of a level in Tally.levels (string comparisons: a keyed store by level name was slower). */
function levelIndex(level: Level | null): number {
  switch (level) {
    case 'trace':
      return 0;
    case 'debug':
      return 1;
    case 'info':
      return 2;
    case 'warn':
      return 3;
    case 'error':
      return 4;
    case 'fatal':
      return 5;
    default:
      return LEVELS.length;
  }
}

/** One more entry of a group, at time ts. */
function seen(g: Group, ts: number | null): void {
  g.count++;
  if (ts !== null && (g.first === null || ts < g.first)) g.first = ts;
  if (ts !== null && (g.last === null || ts > g.last)) g.last = ts;
}
