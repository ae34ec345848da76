import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { localCaller } from '../secrets/secret-caller.js';
import { createMonitorsRuntime, type MonitorsRuntime } from './monitors-runtime.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const CLI = localCaller('cli', 'test');

let t: TestApp;
let sut: MonitorsRuntime;
const clock = { ms: Date.parse('2026-03-01T00:00:00.000Z') };

beforeAll(async () => {
  t = await createTestApp();
  sut = createMonitorsRuntime({
    db: t.ctx.db,
    audit: t.ctx.audit,
    alertsWake: () => {},
    alertSink: { fire: async () => 0, resolve: async () => 0, ingested: () => {} },
    checks: { resolveSecrets: async (s) => s, connectionOf: async () => { throw new Error('none'); } },
    apiPrefix: '/api/v1',
    config: { rawRetentionHours: 2, maxMonitors: 100 },
    platform: { redisUrl: undefined, serverStates: () => [], dataDir: t.dir, newestBackup: async () => null, backupSchedule: null, diskMinFreePercent: 1, backupMaxAgeHours: 48, startedAt: clock.ms },
    now: () => clock.ms,
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const count = async (table: 'monitor_results' | 'monitor_rollups', resolution?: 'm' | 'h' | 'd') => {
  let q = t.ctx.db.selectFrom(table as 'monitor_rollups').select((e) => e.fn.countAll<number>().as('n'));
  if (resolution) q = q.where('resolution', '=', resolution);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe('rollups with a controllable clock', () => {
  it('keeps raw results briefly, minutes for a day, hours for 30 days, days for a year, and uptime stays exact', async () => {
    const created = await sut.service.create({ name: 'cron-job', check: { kind: 'push', target: '' }, interval_seconds: 600, failures_before_down: 1, severity: 'critical', enabled: true }, CLI);
    const token = created.push_url!.split('/').at(-1)!;
    // 50 hours of pushes every 10 minutes, one in four reporting down; latencies 10..100 ms.
    let i = 0;
    for (let h = 0; h < 50; h++) {
      for (let k = 0; k < 6; k++, i++) {
        clock.ms += 10 * MIN;
        await sut.service.push(token, i % 4 === 3 ? 'down' : 'up', undefined, 10 + (i % 10) * 10);
      }
      await sut.rollups.run(clock.ms);
    }
    // Raw results: only the last ~2 hours are kept.
    expect(await count('monitor_results')).toBeLessThanOrEqual(13);
    expect(await count('monitor_rollups', 'm')).toBeLessThanOrEqual(24 * 6 + 1);
    expect(await count('monitor_rollups', 'd')).toBe(2);

    const all = (await sut.rollups.aggregate(clock.ms - 7 * DAY)).get(created.id)!;
    // Everything but the pushes of the minute not rolled up yet is counted once, whatever level holds it.
    expect(all.checks).toBe(300);
    expect(all.ups).toBe(225);
    expect(all.uptime).toBe(0.75);
    // Latencies were recorded for the 225 ups: 10..100 ms.
    expect(all.latency_p50_ms).toBeGreaterThanOrEqual(20);
    expect(all.latency_p50_ms).toBeLessThanOrEqual(100);
    expect(all.latency_p99_ms).toBeLessThanOrEqual(all.latency_max_ms!);
    expect(all.latency_max_ms).toBe(100);

    const status = await sut.service.status(created.id, CLI);
    // The window includes its first instant: 24 h of pushes every 10 minutes, both ends counted.
    expect(status.uptime['24h'].checks).toBe(145);
    expect(status.uptime['365d'].checks).toBe(300);
    const history = await sut.service.history(created.id, '7d', CLI);
    expect(history.resolution).toBe('hour');
    // The chart shows the rolled-up hours and the hour in progress, each on the hour.
    expect(history.points.reduce((n, p) => n + p.checks, 0)).toBeGreaterThanOrEqual(288);
    expect(history.points.every((p) => p.t.endsWith(':00:00.000Z'))).toBe(true);

    // 40 days later: minutes and raw results are gone, days remain; a year later nothing is left.
    clock.ms += 40 * DAY;
    await sut.rollups.run(clock.ms);
    expect(await count('monitor_results')).toBe(0);
    expect(await count('monitor_rollups', 'm')).toBe(0);
    expect(await count('monitor_rollups', 'h')).toBe(0);
    expect((await sut.rollups.aggregate(clock.ms - 365 * DAY)).get(created.id)).toMatchObject({ checks: 300, ups: 225 });
    clock.ms += 400 * DAY;
    await sut.rollups.run(clock.ms);
    expect(await count('monitor_rollups')).toBe(0);
  }, 120_000);

  it('a push monitor that falls silent goes down on its scheduled check', async () => {
    const created = await sut.service.create({ name: 'silent-job', check: { kind: 'push', target: '' }, interval_seconds: 60, failures_before_down: 1, severity: 'critical', enabled: true }, CLI);
    await sut.service.push(created.push_url!.split('/').at(-1)!, 'up', undefined, undefined);
    clock.ms += 30_000;
    expect((await sut.service.runNow(created.id, CLI)).monitor.state).toBe('up');
    clock.ms += 61_000;
    const r = await sut.service.runNow(created.id, CLI);
    expect(r.result.error).toMatch(/^no push for 91 s \(expected every 60 s\)$/);
    expect(r.monitor.state).toBe('down');
  });

  it('a monitor that has just started shows its results: the bucket in progress is computed from the raw results', async () => {
    const created = await sut.service.create({ name: 'fresh-job', check: { kind: 'push', target: '' }, interval_seconds: 60, failures_before_down: 1, severity: 'critical', enabled: true }, CLI);
    const token = created.push_url!.split('/').at(-1)!;
    clock.ms = Math.floor(clock.ms / HOUR) * HOUR + HOUR + 1000;
    for (const [status, ms] of [['up', 40], ['down', undefined], ['up', 60]] as const) {
      await sut.service.push(token, status, undefined, ms);
      clock.ms += 1000;
    }
    // 3 raw results, nothing rolled up for this minute yet.
    for (const window of ['24h', '7d', '365d'] as const) {
      const history = await sut.service.history(created.id, window, CLI);
      expect(history.points, window).toEqual([expect.objectContaining({ checks: 3, ups: 2, latency_avg_ms: 50, latency_max_ms: 60 })]);
    }
    expect((await sut.service.history(created.id, '24h', CLI)).points[0]!.t).toBe(new Date(clock.ms - 3000 - 1000).toISOString());

    // Once the minute is rolled up (and another result arrives in the next), each result is counted once.
    clock.ms += 2 * MIN;
    await sut.rollups.run(clock.ms);
    await sut.service.push(token, 'up', undefined, 10);
    const minutes = (await sut.service.history(created.id, '24h', CLI)).points;
    expect(minutes.map((p) => [p.checks, p.ups])).toEqual([[3, 2], [1, 1]]);
    const hours = (await sut.service.history(created.id, '7d', CLI)).points;
    expect(hours).toEqual([expect.objectContaining({ checks: 4, ups: 3, latency_max_ms: 60 })]);
    expect((await sut.service.history(created.id, '365d', CLI)).points).toEqual([expect.objectContaining({ checks: 4, ups: 3 })]);
  });
});
