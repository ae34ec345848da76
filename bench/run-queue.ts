import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Run-queue wait and CPU time per thread of this process (seconds), and their sums since a start. */
export interface Waits {
  byThread: Map<string, number>;
  total: number;
  cpuByThread: Map<string, number>;
  /** CPU seconds of the busiest thread since the start (on idle cores, the wall clock cannot be shorter). */
  busiestCpu: number;
}

/**
 * Seconds the threads of this process spent runnable but waiting for a core (field 2 of each thread's
 * /proc/self/task/<tid>/schedstat), since `since` (per thread: a thread born later counts from 0). On a shared machine
 * this, not I/O, is where a CPU-bound bench's wall clock goes. Threads that have exited drop out of /proc, so sample
 * while they run and pass the previous sample as `last` (its figures are kept for threads gone since). 0 without /proc.
 */
export function runQueueWait(since?: Waits, last?: Waits): Waits {
  const byThread = new Map<string, number>();
  const cpuByThread = new Map<string, number>();
  const tasks = '/proc/self/task';
  if (existsSync(tasks)) {
    for (const tid of readdirSync(tasks)) {
      try {
        const [run, wait] = readFileSync(`${tasks}/${tid}/schedstat`, 'utf8').split(' ');
        byThread.set(tid, Number(wait) / 1e9);
        cpuByThread.set(tid, Number(run) / 1e9);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  for (const [tid, w] of last?.byThread ?? []) if (!byThread.has(tid)) byThread.set(tid, w);
  for (const [tid, c] of last?.cpuByThread ?? []) if (!cpuByThread.has(tid)) cpuByThread.set(tid, c);
  let total = 0;
  for (const [tid, w] of byThread) total += w - (since?.byThread.get(tid) ?? 0);
  let busiestCpu = 0;
  for (const [tid, c] of cpuByThread) busiestCpu = Math.max(busiestCpu, c - (since?.cpuByThread.get(tid) ?? 0));
  return { byThread, total, cpuByThread, busiestCpu };
}

/**
 * What the wall clock would be on idle cores, from CPU times measured on a busy machine: no shorter than the busiest
 * thread's CPU time, nor than all the CPU time spread over the cores. A lower bound (waits between threads ignored).
 */
export function idleSeconds(w: Waits, cpuSeconds: number, cores: number): number {
  return Math.max(w.busiestCpu, cpuSeconds / cores);
}
