import { describe, expect, it } from 'vitest';
import { createMonitorScheduler } from './monitor-scheduler.js';
import type { MonitorRow } from './monitors.table.js';

const monitor = (i: number, extra: Partial<MonitorRow> = {}): MonitorRow => ({
  id: `m${String(i).padStart(5, '0')}`, name: `m${i}`, kind: 'tcp', target: '127.0.0.1:1', options: '{}', interval_seconds: 60, cron: null, timeout_ms: 1000,
  failures_before_down: 1, severity: 'critical', enabled: 1, description: null, push_token_hash: null, state: 'unknown', state_since: null, consecutive_failures: 0,
  last_checked_at: null, last_latency_ms: null, last_error: null, alert_starts_at: null, created_by: null, created_at: '', updated_at: '', ...extra,
});

describe('the scheduler, on a controllable clock', () => {
  it('spreads 1,000 monitors at 60 s over the minute and runs each once per interval', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00.000Z') };
    const starts = new Map<string, number[]>();
    const sut = createMonitorScheduler({ now: () => clock.ms, run: async (m) => void starts.set(m.id, [...(starts.get(m.id) ?? []), clock.ms]) });
    sut.load(Array.from({ length: 1000 }, (_, i) => monitor(i)));
    const perSecond: number[] = [];
    for (let s = 0; s < 120; s++) {
      clock.ms += 1000;
      const before = [...starts.values()].reduce((n, v) => n + v.length, 0);
      await sut.tick();
      perSecond.push([...starts.values()].reduce((n, v) => n + v.length, 0) - before);
    }
    // Each monitor twice in two minutes, exactly 60 s apart.
    expect(starts.size).toBe(1000);
    for (const times of starts.values()) {
      expect(times).toHaveLength(2);
      expect(times[1]! - times[0]!).toBe(60_000);
    }
    // About 17 a second: never a burst of all of them.
    expect(Math.max(...perSecond)).toBeLessThan(45);
    expect(perSecond.filter((n) => n === 0).length).toBeLessThan(5);
    expect(sut.stats()).toMatchObject({ scheduled: 1000, started: 2000, skipped_busy: 0 });
    expect(sut.stats().start_delay_p99_ms).toBeLessThan(1000);
  });

  it('skips a run while the previous one is still going, follows cron, and forgets disabled monitors', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00.000Z') };
    let release!: () => void;
    let runs = 0;
    const sut = createMonitorScheduler({ now: () => clock.ms, run: () => { runs++; return new Promise<void>((r) => (release = r)); } });
    sut.set(monitor(1, { interval_seconds: 5 }));
    clock.ms += 5_000;
    const first = sut.tick();
    clock.ms += 5_000;
    await sut.tick();
    expect(runs).toBe(1);
    expect(sut.stats().skipped_busy).toBe(1);
    release();
    await first;

    sut.set(monitor(2, { cron: '*/5 * * * *' }));
    expect(new Date(sut.nextRun('m00002')!).toISOString()).toBe('2026-03-01T00:05:00.000Z');
    sut.set(monitor(2, { enabled: 0 }));
    expect(sut.nextRun('m00002')).toBeNull();
  });
});
