import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const LAG_RESOLUTION_MS = 10;

export interface HostReading {
  /** Busy share of all cores since the previous reading, 0..100. */
  cpu_percent: number | null;
  /** This process's CPU since the previous reading, 0..100 per core. */
  process_cpu_percent: number | null;
  load_1m: number;
  load_5m: number;
  load_15m: number;
  memory_total_bytes: number;
  memory_available_bytes: number;
  process_rss_bytes: number;
  heap_used_bytes: number;
  /** Event-loop delay since the previous reading: mean, p99 and max, in ms. */
  event_loop_lag_ms: number | null;
  event_loop_lag_p99_ms: number | null;
  event_loop_lag_max_ms: number | null;
  /** Handles and requests keeping the event loop alive (sockets, timers, child processes...). */
  active_handles: number;
  disk_total_bytes: number | null;
  disk_free_bytes: number | null;
}

export interface DiskUsage {
  path: string;
  total_bytes: number;
  free_bytes: number;
  used_bytes: number;
}

/** Free space of the file system holding `dir` (statfs), or null when it cannot be read. */
export async function diskUsage(dir: string): Promise<DiskUsage | null> {
  try {
    const s = await statfs(dir);
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    return { path: dir, total_bytes: total, free_bytes: free, used_bytes: total - s.bfree * s.bsize };
  } catch {
    return null;
  }
}

export function activeHandles(): { total: number; by_type: Record<string, number> } {
  const by: Record<string, number> = {};
  const list = process.getActiveResourcesInfo();
  for (const t of list) by[t] = (by[t] ?? 0) + 1;
  return { total: list.length, by_type: by };
}

/**
 * Reads the host and this process. CPU and event-loop figures cover the time since the previous
 * reading, so read at a steady pace (the monitor's interval).
 */
export function createHostSampler(opts: { dataDir: string }) {
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  let prevCpu = cpuTimes();
  let prevProc = process.cpuUsage();
  let prevAt = performance.now();

  return {
    async read(): Promise<HostReading> {
      const cpu = cpuTimes();
      const proc = process.cpuUsage();
      const at = performance.now();
      const busy = cpu.busy - prevCpu.busy;
      const all = cpu.total - prevCpu.total;
      const elapsedUs = (at - prevAt) * 1000;
      const procUs = proc.user - prevProc.user + (proc.system - prevProc.system);
      prevCpu = cpu;
      prevProc = proc;
      prevAt = at;
      const hasLag = lag.count > 0;
      // The histogram records each timer's whole period: the lag is what exceeds the resolution.
      const over = (ns: number) => ms(Math.max(0, ns - LAG_RESOLUTION_MS * 1e6));
      const reading = {
        lagMean: hasLag ? over(lag.mean) : null,
        lagP99: hasLag ? over(lag.percentile(99)) : null,
        lagMax: hasLag ? over(lag.max) : null,
      };
      lag.reset();
      const [load1, load5, load15] = os.loadavg();
      const mem = process.memoryUsage();
      const disk = await diskUsage(opts.dataDir);
      return {
        cpu_percent: all > 0 ? round((busy / all) * 100) : null,
        process_cpu_percent: elapsedUs > 0 ? round((procUs / elapsedUs) * 100) : null,
        load_1m: round(load1!),
        load_5m: round(load5!),
        load_15m: round(load15!),
        memory_total_bytes: os.totalmem(),
        memory_available_bytes: os.freemem(),
        process_rss_bytes: mem.rss,
        heap_used_bytes: mem.heapUsed,
        event_loop_lag_ms: reading.lagMean,
        event_loop_lag_p99_ms: reading.lagP99,
        event_loop_lag_max_ms: reading.lagMax,
        active_handles: process.getActiveResourcesInfo().length,
        disk_total_bytes: disk?.total_bytes ?? null,
        disk_free_bytes: disk?.free_bytes ?? null,
      };
    },
    stop(): void {
      lag.disable();
    },
  };
}

export type HostSampler = ReturnType<typeof createHostSampler>;

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

const ms = (ns: number) => round(ns / 1e6);
const round = (n: number) => Math.round(n * 100) / 100;
