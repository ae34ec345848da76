/** How a field of consecutive samples becomes one value when they are merged. */
export type Aggregate = 'avg' | 'max' | 'sum' | 'last';
export type AggregateSpec<T> = { [K in Exclude<keyof T, 'time'>]: Aggregate };

export interface SeriesOptions<T extends { time: string }> {
  /** Samples older than this are merged into `bucketMs` buckets (default 1 h). */
  rawMs: number;
  /** Nothing older than this is kept. */
  windowMs: number;
  /** Resolution of the older part (default 1 min). */
  bucketMs?: number;
  spec: AggregateSpec<T>;
  now?: () => number;
}

/**
 * A time series kept in memory: every sample for the last `rawMs`, then one merged sample per
 * `bucketMs` up to `windowMs`, so a day of 5-second samples stays small. `query` merges further to
 * the step asked for. Merged values: averages (CPU, memory), maxima (p95, lag), sums (counts).
 */
export function createSeries<T extends { time: string }>(opts: SeriesOptions<T>) {
  const now = opts.now ?? Date.now;
  const bucketMs = opts.bucketMs ?? 60_000;
  const raw: { t: number; s: T }[] = [];
  const rolled: { t: number; s: T }[] = [];

  const compact = () => {
    const at = now();
    // Only whole buckets are merged, so a bucket is never split between the two parts.
    const cutoff = Math.floor((at - opts.rawMs) / bucketMs) * bucketMs;
    let n = 0;
    while (n < raw.length && raw[n]!.t < cutoff) n++;
    if (n > 0) {
      for (const group of groupBy(raw.splice(0, n), bucketMs)) rolled.push({ t: group.t, s: merge(group.items, group.t, opts.spec) });
    }
    const oldest = at - opts.windowMs;
    while (rolled.length > 0 && rolled[0]!.t < oldest) rolled.shift();
    while (raw.length > 0 && raw[0]!.t < oldest) raw.shift();
  };

  return {
    push(sample: T): void {
      raw.push({ t: Date.parse(sample.time), s: sample });
      compact();
    },
    /** Samples at or after `since`, merged per `stepMs` when it is coarser than what is stored. */
    query(since: number, stepMs?: number): T[] {
      compact();
      const items = [...rolled, ...raw].filter((x) => x.t >= since);
      if (!stepMs) return items.map((x) => x.s);
      return groupBy(items, stepMs).map((g) => (g.items.length === 1 ? g.items[0]!.s : merge(g.items, g.t, opts.spec)));
    },
    latest(): T | undefined {
      return raw.at(-1)?.s ?? rolled.at(-1)?.s;
    },
    size: () => raw.length + rolled.length,
  };
}

export type Series<T extends { time: string }> = ReturnType<typeof createSeries<T>>;

function groupBy<T>(items: { t: number; s: T }[], stepMs: number): { t: number; items: { t: number; s: T }[] }[] {
  const groups: { t: number; items: { t: number; s: T }[] }[] = [];
  for (const item of items) {
    const start = Math.floor(item.t / stepMs) * stepMs;
    const last = groups.at(-1);
    if (last && last.t === start) last.items.push(item);
    else groups.push({ t: start, items: [item] });
  }
  return groups;
}

export function merge<T extends { time: string }>(items: { s: T }[], t: number, spec: AggregateSpec<T>): T {
  const out: Record<string, unknown> = { time: new Date(t).toISOString() };
  for (const [field, how] of Object.entries(spec) as [string, Aggregate][]) {
    const values = items.map((x) => (x.s as Record<string, unknown>)[field]);
    if (how === 'last') {
      out[field] = values.at(-1);
      continue;
    }
    const nums = values.filter((v): v is number => typeof v === 'number');
    if (nums.length === 0) {
      out[field] = null;
      continue;
    }
    const v = how === 'max' ? Math.max(...nums) : how === 'sum' ? nums.reduce((a, b) => a + b, 0) : nums.reduce((a, b) => a + b, 0) / nums.length;
    out[field] = Math.round(v * 100) / 100;
  }
  return out as T;
}
