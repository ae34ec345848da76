import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import type { MonitorRow } from './monitors.table.js';

export interface SchedulerDeps {
  /** The clock (tests move it). */
  now(): number;
  /** False while another instance runs the checks (this one stands by); default: always this one. */
  isLeader?(): boolean;
  /** Runs one check of the monitor and records it. */
  run(monitor: MonitorRow): Promise<void>;
  /** Periodic upkeep (rollups), every `upkeepMs` of clock time. */
  upkeep?(now: number): Promise<void>;
  upkeepMs?: number;
  /** How often the real timer looks for due monitors. */
  tickMs?: number;
  onError?(err: unknown): void;
}

interface Entry {
  monitor: MonitorRow;
  next: number;
  running: boolean;
}

/**
 * Runs each enabled monitor when due. An interval monitor starts at a fixed phase of its interval
 * derived from its id, so 1,000 monitors at 60 s start spread over the minute (and keep their phase
 * across restarts) instead of all at once; a cron monitor follows croner. A run still going when the
 * next is due is skipped, not stacked. Start delays (due → started) are kept for the jitter figures.
 */
export function createMonitorScheduler(deps: SchedulerDeps) {
  const entries = new Map<string, Entry>();
  const delays: number[] = [];
  const DELAYS_KEPT = 20_000;
  let started = 0;
  let skipped = 0;
  let timer: NodeJS.Timeout | null = null;
  let nextUpkeep = 0;
  let upkeepRunning: Promise<void> | null = null;

  function nextAfter(m: MonitorRow, after: number): number {
    if (m.cron) {
      const job = new Cron(m.cron, { paused: true });
      try {
        return job.nextRun(new Date(after))?.getTime() ?? Number.POSITIVE_INFINITY;
      } finally {
        job.stop();
      }
    }
    const interval = m.interval_seconds * 1000;
    const phase = phaseOf(m.id, interval);
    const k = Math.floor((after - phase) / interval) + 1;
    return k * interval + phase;
  }

  function set(monitor: MonitorRow): void {
    if (!monitor.enabled) {
      entries.delete(monitor.id);
      return;
    }
    const old = entries.get(monitor.id);
    const sameSchedule = old && old.monitor.interval_seconds === monitor.interval_seconds && old.monitor.cron === monitor.cron;
    entries.set(monitor.id, { monitor, next: sameSchedule ? old.next : nextAfter(monitor, deps.now() - 1), running: old?.running ?? false });
  }

  /** Starts every due monitor; resolves when the runs started by this tick have finished. */
  async function tick(): Promise<void> {
    if (deps.isLeader && !deps.isLeader()) return;
    const now = deps.now();
    const runs: Promise<void>[] = [];
    for (const e of entries.values()) {
      if (e.next > now) continue;
      const due = e.next;
      e.next = nextAfter(e.monitor, now);
      if (e.running) {
        skipped++;
        continue;
      }
      e.running = true;
      started++;
      delays.push(now - due);
      if (delays.length > DELAYS_KEPT) delays.splice(0, delays.length - DELAYS_KEPT);
      runs.push(deps.run(e.monitor).catch((err: unknown) => deps.onError?.(err)).finally(() => (e.running = false)));
    }
    if (deps.upkeep && now >= nextUpkeep && !upkeepRunning) {
      nextUpkeep = now + (deps.upkeepMs ?? 60_000);
      upkeepRunning = deps.upkeep(now).catch((err: unknown) => deps.onError?.(err)).finally(() => (upkeepRunning = null));
      runs.push(upkeepRunning);
    }
    await Promise.all(runs);
  }

  return {
    load(monitors: MonitorRow[]): void {
      const ids = new Set(monitors.map((m) => m.id));
      for (const id of entries.keys()) if (!ids.has(id)) entries.delete(id);
      for (const m of monitors) set(m);
    },
    set,
    remove: (id: string) => void entries.delete(id),
    /** When the monitor runs next (ms), or null when it is not scheduled. */
    nextRun: (id: string): number | null => entries.get(id)?.next ?? null,
    tick,
    start(): void {
      if (timer) return;
      timer = setInterval(() => void tick().catch((err: unknown) => deps.onError?.(err)), deps.tickMs ?? 200);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await upkeepRunning;
    },
    /** Check starts so far and the delay between due and start (ms) over the last 20,000 starts. */
    stats() {
      const sorted = [...delays].sort((a, b) => a - b);
      const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
      return { scheduled: entries.size, started, skipped_busy: skipped, start_delay_p50_ms: at(0.5), start_delay_p99_ms: at(0.99), start_delay_max_ms: sorted.at(-1) ?? 0 };
    },
  };
}

/** A stable offset in [0, interval) from the monitor's id. */
export function phaseOf(id: string, intervalMs: number): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) % intervalMs;
}

export type MonitorScheduler = ReturnType<typeof createMonitorScheduler>;
