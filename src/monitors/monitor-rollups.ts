import type { MonitorRollupTable } from './monitors.table.js';
import { addLatency, emptyHistogram, mergeHistogram, quantile } from './latency-histogram.js';
import type { Resolution, RollupsRepository } from './rollups.repository.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const UNIT: Record<Resolution, number> = { m: MINUTE, h: HOUR, d: DAY };
/** How long each resolution is kept: minutes 24 h, hours 30 d, days a year. */
const KEEP: Record<Resolution, number> = { m: DAY, h: 30 * DAY, d: 365 * DAY };
/** A result may still be written this long after its minute ended (a check finishing late). */
const SETTLE_MS = 15_000;
/** The finer levels of a resolution, coarsest first (raw results come after them). */
const FINER: Record<Resolution, Resolution[]> = { m: [], h: ['m'], d: ['h', 'm'] };

export interface RollupOptions {
  /** Raw results are kept this long (and never before they are rolled up). */
  rawRetentionMs: number;
}

export interface Aggregate {
  checks: number;
  ups: number;
  uptime: number | null;
  latency_avg_ms: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  latency_max_ms: number | null;
}

export interface SeriesPoint {
  t: string;
  checks: number;
  ups: number;
  latency_avg_ms: number | null;
  latency_max_ms: number | null;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const iso = (ms: number) => new Date(ms).toISOString();

interface Acc { checks: number; ups: number; sum: number; max: number; h: number[] }
const newAcc = (): Acc => ({ checks: 0, ups: 0, sum: 0, max: 0, h: emptyHistogram() });

/**
 * Rolls results up (raw → minute → hour → day) for every monitor at once, then prunes each level
 * past its retention, so storage stays bounded whatever runs. Idempotent: a bucket is rewritten
 * whole; each level continues from its newest bucket. `now` is the caller's clock.
 */
export function createMonitorRollups(repo: RollupsRepository, opts: RollupOptions) {
  async function rollLevel(target: Resolution, now: number): Promise<number> {
    const unit = UNIT[target];
    const newest = await repo.newest(target);
    const source = target === 'm' ? await repo.oldestRaw() : await repo.oldest(target === 'h' ? 'm' : 'h');
    const fromMs = newest ? Date.parse(newest) + unit : source ? floorTo(Date.parse(source), unit) : null;
    const toMs = floorTo(now - SETTLE_MS, unit);
    if (fromMs === null || fromMs >= toMs) return 0;
    const groups = new Map<string, Acc>();
    const accOf = (monitorId: string, at: string) => {
      const key = `${monitorId}\u0000${iso(floorTo(Date.parse(at), unit))}`;
      let a = groups.get(key);
      if (!a) groups.set(key, (a = newAcc()));
      return a;
    };
    if (target === 'm') {
      for (const r of await repo.raw(iso(fromMs), iso(toMs))) {
        const a = accOf(r.monitor_id, r.at);
        a.checks++;
        if (r.ok) a.ups++;
        if (r.latency_ms !== null) {
          a.sum += r.latency_ms;
          a.max = Math.max(a.max, r.latency_ms);
          addLatency(a.h, r.latency_ms);
        }
      }
    } else {
      for (const r of await repo.buckets(target === 'h' ? 'm' : 'h', iso(fromMs), iso(toMs))) {
        const a = accOf(r.monitor_id, r.bucket);
        a.checks += r.checks;
        a.ups += r.ups;
        a.sum += r.latency_sum;
        a.max = Math.max(a.max, r.latency_max);
        mergeHistogram(a.h, JSON.parse(r.histogram) as number[]);
      }
    }
    const rows: MonitorRollupTable[] = [...groups].map(([key, a]) => {
      const [monitor_id, bucket] = key.split('\u0000') as [string, string];
      return { monitor_id, resolution: target, bucket, checks: a.checks, ups: a.ups, latency_sum: a.sum, latency_max: a.max, histogram: JSON.stringify(a.h) };
    });
    await repo.upsert(rows);
    return rows.length;
  }

  return {
    async run(now: number): Promise<{ minutes: number; hours: number; days: number }> {
      const minutes = await rollLevel('m', now);
      const hours = await rollLevel('h', now);
      const days = await rollLevel('d', now);
      const rolledMinutes = await repo.newest('m');
      const rawBefore = Math.min(now - opts.rawRetentionMs, rolledMinutes ? Date.parse(rolledMinutes) + MINUTE : -Infinity);
      if (Number.isFinite(rawBefore)) await repo.pruneRaw(iso(rawBefore));
      // A level is pruned only below what the next coarser level already holds.
      const hoursNewest = await repo.newest('h');
      const daysNewest = await repo.newest('d');
      if (hoursNewest) await repo.prune('m', iso(Math.min(now - KEEP.m, Date.parse(hoursNewest) + HOUR)));
      if (daysNewest) await repo.prune('h', iso(Math.min(now - KEEP.h, Date.parse(daysNewest) + DAY)));
      await repo.prune('d', iso(now - KEEP.d));
      await repo.pruneEvents(iso(now - KEEP.d));
      return { minutes, hours, days };
    },

    /**
     * Totals per monitor over [from, now): each level is read where it is the finest one left (raw
     * results past the newest minute, minutes back to where they were pruned, then hours, then days),
     * cut at the coarser level's bucket boundaries, so nothing is counted twice. A window's first
     * partial bucket of a coarse level is left out.
     */
    async aggregate(fromMs: number, monitorId?: string): Promise<Map<string, Aggregate>> {
      const levels = await Promise.all((['m', 'h', 'd'] as const).map(async (res) => {
        const [oldest, newest] = await Promise.all([repo.oldest(res), repo.newest(res)]);
        return newest ? { res, old: Date.parse(oldest), mark: Date.parse(newest) + UNIT[res] } : null;
      }));
      const present = levels.filter((l): l is NonNullable<typeof l> => l !== null);
      const accs = new Map<string, Acc>();
      const accOf = (id: string) => { let a = accs.get(id); if (!a) accs.set(id, (a = newAcc())); return a; };
      const rawFrom = present[0]?.mark ?? -Infinity;
      for (const r of await repo.raw(iso(Math.max(fromMs, rawFrom, 0)), '9999-12-31T23:59:59.999Z', monitorId)) {
        const a = accOf(r.monitor_id);
        a.checks++;
        if (r.ok) a.ups++;
        if (r.latency_ms !== null) { a.sum += r.latency_ms; a.max = Math.max(a.max, r.latency_ms); addLatency(a.h, r.latency_ms); }
      }
      let upper = rawFrom;
      for (let i = 0; i < present.length; i++) {
        const level = present[i]!;
        const coarser = present[i + 1];
        let lower = level.old;
        if (coarser) {
          const aligned = Math.ceil(level.old / UNIT[coarser.res]) * UNIT[coarser.res];
          lower = coarser.mark >= aligned ? aligned : Math.max(level.old, coarser.mark);
        }
        const to = Math.min(upper, level.mark);
        const from = Math.max(fromMs, lower);
        if (from < to) {
          for (const r of await repo.buckets(level.res, iso(from), iso(to), monitorId)) {
            const a = accOf(r.monitor_id);
            a.checks += r.checks; a.ups += r.ups; a.sum += r.latency_sum; a.max = Math.max(a.max, r.latency_max);
            mergeHistogram(a.h, JSON.parse(r.histogram) as number[]);
          }
        }
        upper = Math.min(upper, lower);
      }
      return new Map([...accs].map(([id, a]) => [id, toAggregate(a)]));
    },

    /**
     * Points for a chart: buckets of one resolution over [from, now). Past the newest bucket rolled up
     * at this resolution (the bucket in progress, or a monitor that has just started) the points are
     * computed now from the finer levels and the raw results, each read where it is the finest one
     * left, so a chart is never empty while results exist and nothing is counted twice.
     */
    async series(monitorId: string, resolution: Resolution, fromMs: number, nowMs: number): Promise<SeriesPoint[]> {
      const unit = UNIT[resolution];
      const from = floorTo(fromMs, unit);
      const rows = await repo.buckets(resolution, iso(from), iso(nowMs + 1), monitorId);
      const points = rows.map((r) => ({ t: r.bucket, checks: r.checks, ups: r.ups, latency_avg_ms: r.checks ? round(r.latency_sum / latencyCount(r.histogram)) : null, latency_max_ms: r.latency_max || null }));
      const markOf = async (res: Resolution) => {
        const newest = await repo.newest(res);
        return newest ? Date.parse(newest) + UNIT[res] : null;
      };
      let lower = Math.max(from, (await markOf(resolution)) ?? -Infinity);
      const live = new Map<number, Acc>();
      const accAt = (at: string) => {
        const t = floorTo(Date.parse(at), unit);
        let a = live.get(t);
        if (!a) live.set(t, (a = newAcc()));
        return a;
      };
      const finer = FINER[resolution];
      for (const res of finer) {
        const mark = await markOf(res);
        if (mark === null || mark <= lower) continue;
        for (const r of await repo.buckets(res, iso(lower), iso(mark), monitorId)) {
          const a = accAt(r.bucket);
          a.checks += r.checks; a.ups += r.ups; a.sum += r.latency_sum; a.max = Math.max(a.max, r.latency_max);
          mergeHistogram(a.h, JSON.parse(r.histogram) as number[]);
        }
        lower = mark;
      }
      for (const r of await repo.raw(iso(Math.max(lower, 0)), iso(nowMs + 1), monitorId)) {
        const a = accAt(r.at);
        a.checks++;
        if (r.ok) a.ups++;
        if (r.latency_ms !== null) { a.sum += r.latency_ms; a.max = Math.max(a.max, r.latency_ms); addLatency(a.h, r.latency_ms); }
      }
      const computed = [...live].sort(([x], [y]) => x - y).map(([t, a]) => {
        const n = a.h.reduce((x, y) => x + y, 0);
        return { t: iso(t), checks: a.checks, ups: a.ups, latency_avg_ms: n ? round(a.sum / n) : null, latency_max_ms: n ? round(a.max) : null };
      });
      return [...points, ...computed];
    },
  };
}

function latencyCount(histogram: string): number {
  return (JSON.parse(histogram) as number[]).reduce((a, b) => a + b, 0) || 1;
}

function toAggregate(a: Acc): Aggregate {
  const n = a.h.reduce((x, y) => x + y, 0);
  return {
    checks: a.checks,
    ups: a.ups,
    uptime: a.checks ? Math.round((a.ups / a.checks) * 1e6) / 1e6 : null,
    latency_avg_ms: n ? round(a.sum / n) : null,
    latency_p50_ms: quantile(a.h, 0.5, a.max),
    latency_p95_ms: quantile(a.h, 0.95, a.max),
    latency_p99_ms: quantile(a.h, 0.99, a.max),
    latency_max_ms: n ? round(a.max) : null,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

export type MonitorRollups = ReturnType<typeof createMonitorRollups>;
