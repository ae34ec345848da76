import { describe, expect, it } from 'vitest';
import { createServerMetrics } from './server-metrics.js';
import type { ServerStatus } from './server-status.js';

describe('server metrics', () => {
  it('samples usage per server and the calls, errors and p50/p95 of each interval', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const status = { name: 'a', state: 'running', pid: 123, restarts: 2, uptimeMs: 5000 } as ServerStatus;
    const sut = createServerMetrics({
      supervisor: { list: () => [status] },
      usage: async () => ({ cpu: 12.345, memory: 50_000_000 }),
      now: () => t,
      windowMs: 60_000,
    });
    for (let i = 1; i <= 100; i++) sut.onResponse({ server: 'a', method: 'tools/call', durationMs: i, outcome: i % 10 === 0 ? 'error' : 'ok' });
    sut.onResponse({ server: 'a', method: 'ping', durationMs: 1000, outcome: 'ok' });
    await sut.sample();
    t += 30_000;
    await sut.sample();
    const q = sut.query('a');
    expect(q.totals).toEqual({ calls: 100, errors: 10 });
    expect(q.samples).toHaveLength(2);
    expect(q.samples[0]).toMatchObject({ cpu_percent: 12.3, rss_bytes: 50_000_000, restarts: 2, uptime_ms: 5000, calls: 100, errors: 10, p50_ms: 50, p95_ms: 95 });
    expect(q.samples[1]).toMatchObject({ calls: 0, p50_ms: null });
    expect(sut.query('a', q.samples[1]!.time).samples).toHaveLength(1);
    t += 60_000;
    await sut.sample();
    expect(sut.query('a').samples).toHaveLength(2); // the first fell out of the window
  });
});
