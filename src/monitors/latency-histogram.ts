/** Upper bounds (ms) of the latency histogram kept with every rollup; the last bucket is open. */
export const LATENCY_BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, Infinity] as const;

export function emptyHistogram(): number[] {
  return LATENCY_BOUNDS.map(() => 0);
}

export function addLatency(h: number[], ms: number): void {
  const i = LATENCY_BOUNDS.findIndex((b) => ms <= b);
  h[i === -1 ? h.length - 1 : i]! += 1;
}

export function mergeHistogram(into: number[], from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i]! += from[i] ?? 0;
}

/**
 * The q-quantile (0..1) estimated from the histogram: linear within the bucket that holds the rank;
 * the open last bucket ends at `max`. Null without samples.
 */
export function quantile(h: readonly number[], q: number, max: number): number | null {
  const total = h.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    const n = h[i]!;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BOUNDS[i - 1]!;
      const hi = Math.min(LATENCY_BOUNDS[i]!, Math.max(max, lo));
      return Math.round((lo + ((rank - seen) / n) * (hi - lo)) * 100) / 100;
    }
    seen += n;
  }
  return max;
}
