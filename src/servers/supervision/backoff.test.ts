import { describe, expect, it } from 'vitest';
import { backoffDelay, createFailureWindow } from './backoff.js';

const opts = { baseMs: 100, capMs: 1000, factor: 2, jitter: 0.2 };

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, without jitter at random() = 0', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps every jittered delay within [d * (1 - jitter), d]', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const d = Math.min(1000, 100 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, opts);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(d * 0.8));
        expect(delay).toBeLessThanOrEqual(d);
      }
    }
  });
});

describe('createFailureWindow', () => {
  const sut = () => createFailureWindow({ maxRetries: 2, windowMs: 10_000, stableMs: 5_000 });

  it('is exhausted on the failure after max_retries within the window', () => {
    const w = sut();
    expect(w.record(0, null)).toEqual({ failures: 1, exhausted: false, attempt: 0 });
    expect(w.record(1000, null)).toEqual({ failures: 2, exhausted: false, attempt: 1 });
    expect(w.record(2000, null)).toEqual({ failures: 3, exhausted: true, attempt: 2 });
  });

  it('forgets failures older than the window', () => {
    const w = sut();
    w.record(0, null);
    w.record(1000, null);
    expect(w.record(12_000, null)).toMatchObject({ failures: 1, exhausted: false });
  });

  it('starts over after a stable run', () => {
    const w = sut();
    w.record(0, null);
    w.record(1000, 500);
    expect(w.record(9000, 2000)).toMatchObject({ failures: 1, exhausted: false, attempt: 0 });
  });

  it('reset() clears the record', () => {
    const w = sut();
    w.record(0, null);
    w.record(1, null);
    w.reset();
    expect(w.count(2)).toBe(0);
  });
});
