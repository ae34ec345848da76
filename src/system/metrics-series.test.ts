import { describe, expect, it } from 'vitest';
import { createSeries } from './metrics-series.js';

interface S {
  time: string;
  cpu: number | null;
  calls: number;
  p95: number | null;
  state: string;
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function series(clock: { t: number }) {
  return createSeries<S>({
    rawMs: 10 * 60_000,
    windowMs: 60 * 60_000,
    bucketMs: 60_000,
    spec: { cpu: 'avg', calls: 'sum', p95: 'max', state: 'last' },
    now: () => clock.t,
  });
}

describe('metrics time series', () => {
  it('keeps recent samples as they are and merges older ones into one-minute buckets', () => {
    const clock = { t: T0 };
    const sut = series(clock);
    // 30 minutes of 5-second samples: cpu alternates 10/30, one call each, p95 rises.
    for (let i = 0; i < 360; i++) {
      clock.t = T0 + i * 5000;
      sut.push({ time: at(i * 5000), cpu: i % 2 === 0 ? 10 : 30, calls: 1, p95: i, state: i < 300 ? 'running' : 'backoff' });
    }
    const all = sut.query(0);
    // The last 10-11 minutes raw (whole buckets only), the 20 minutes before as 20 buckets.
    expect(sut.size()).toBeLessThanOrEqual(20 + 11 * 12);
    const merged = all.filter((s) => s.calls > 1);
    expect(merged.length).toBeGreaterThanOrEqual(19);
    expect(merged[0]).toEqual({ time: at(0), cpu: 20, calls: 12, p95: 11, state: 'running' });
    // Nothing is lost: the calls add up to every sample pushed.
    expect(all.reduce((n, s) => n + s.calls, 0)).toBe(360);
    expect(all.at(-1)).toMatchObject({ time: at(359 * 5000), state: 'backoff' });
  });

  it('drops what falls out of the window', () => {
    const clock = { t: T0 };
    const sut = series(clock);
    sut.push({ time: at(0), cpu: 1, calls: 1, p95: 1, state: 'running' });
    clock.t = T0 + 61 * 60_000;
    sut.push({ time: at(61 * 60_000), cpu: 2, calls: 1, p95: 1, state: 'running' });
    expect(sut.query(0).map((s) => s.cpu)).toEqual([2]);
  });

  it('queries from a time and merges to a coarser step; null values do not count in averages', () => {
    const clock = { t: T0 };
    const sut = series(clock);
    for (let i = 0; i < 12; i++) {
      clock.t = T0 + i * 5000;
      sut.push({ time: at(i * 5000), cpu: i < 6 ? null : 40, calls: 2, p95: i, state: 'running' });
    }
    const step = sut.query(T0, 30_000);
    expect(step).toEqual([
      { time: at(0), cpu: null, calls: 12, p95: 5, state: 'running' },
      { time: at(30_000), cpu: 40, calls: 12, p95: 11, state: 'running' },
    ]);
    expect(sut.query(T0 + 50_000)).toHaveLength(2);
  });
});
