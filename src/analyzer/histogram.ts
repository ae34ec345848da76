const SECOND = 1000;
const STEPS = [1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400, 30 * 86400].map((s) => s * SECOND);

/** Counts per time slot in bounded memory: per second, coarsened when too many slots are kept. */
export class TimeHistogram {
  private unit = SECOND;
  private counts = new Map<number, number>();

  constructor(private readonly maxSlots = 100_000) {}

  /** Entries of the slot last added to, not yet in `counts` (logs are mostly in time order). */
  private lastSlot = NaN;
  private lastCount = 0;

  add(ts: number, count = 1): void {
    const slot = Math.floor(ts / this.unit) * this.unit;
    if (slot === this.lastSlot) {
      this.lastCount += count;
      return;
    }
    this.flush();
    this.lastSlot = slot;
    this.lastCount = count;
  }

  /** The counts per slot, as slot, count, slot, count... (one flat array: cheap to hand a part's histogram to another thread). */
  slots(): Float64Array {
    this.flush();
    const out = new Float64Array(2 * this.counts.size);
    let i = 0;
    for (const [slot, c] of this.counts) {
      out[i++] = slot;
      out[i++] = c;
    }
    return out;
  }

  /** Adds slots another histogram counted (parts read in parallel). */
  addSlots(slots: Float64Array): void {
    for (let i = 0; i < slots.length; i += 2) this.add(slots[i]!, slots[i + 1]!);
  }

  private flush(): void {
    if (this.lastCount === 0) return;
    this.counts.set(this.lastSlot, (this.counts.get(this.lastSlot) ?? 0) + this.lastCount);
    this.lastCount = 0;
    this.lastSlot = NaN;
    if (this.counts.size > this.maxSlots) this.coarsen();
  }

  /** About `target` buckets of a round size (1 s, 5 s, ... 1 h, ... 30 days) covering the range seen. */
  buckets(target = 60): { bucketSeconds: number; buckets: { start: string; count: number }[] } {
    this.flush();
    if (this.counts.size === 0) return { bucketSeconds: 0, buckets: [] };
    let min = Infinity;
    let max = -Infinity;
    for (const slot of this.counts.keys()) {
      if (slot < min) min = slot;
      if (slot > max) max = slot;
    }
    const step = STEPS.find((s) => s >= this.unit && (max - min) / s < target) ?? STEPS[STEPS.length - 1]!;
    const first = Math.floor(min / step) * step;
    const n = Math.floor((max - first) / step) + 1;
    const counts = new Array<number>(n).fill(0);
    for (const [slot, c] of this.counts) counts[Math.floor((slot - first) / step)]! += c;
    return { bucketSeconds: step / SECOND, buckets: counts.map((count, i) => ({ start: new Date(first + i * step).toISOString(), count })) };
  }

  private coarsen(): void {
    this.unit = STEPS.find((s) => s > this.unit) ?? this.unit * 2;
    const next = new Map<number, number>();
    for (const [slot, c] of this.counts) {
      const k = Math.floor(slot / this.unit) * this.unit;
      next.set(k, (next.get(k) ?? 0) + c);
    }
    this.counts = next;
  }
}

/** Percentiles from a uniform sample (reservoir) of at most `size` values. */
export class Reservoir {
  private readonly values: number[] = [];
  private seen = 0;

  constructor(private readonly size = 20_000) {}

  add(v: number): void {
    this.seen++;
    if (this.values.length < this.size) this.values.push(v);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < this.size) this.values[j] = v;
    }
  }

  get count(): number {
    return this.seen;
  }

  /** The sample and how many values it stands for (to hand to another thread). */
  sample(): { values: number[]; seen: number } {
    return { values: this.values, seen: this.seen };
  }

  /** Adds another reservoir's sample, each value weighted by how many it stands for. */
  addSample(s: { values: number[]; seen: number }): void {
    if (s.values.length === 0) return;
    const weight = s.seen / s.values.length;
    for (const v of s.values) {
      this.seen += weight - 1;
      this.add(v);
    }
    this.seen = Math.round(this.seen);
  }

  percentiles(ps: number[]): Record<string, number> {
    const sorted = [...this.values].sort((a, b) => a - b);
    return Object.fromEntries(ps.map((p) => [`p${p}`, sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!) : 0]));
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
