import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Run-queue wait per thread of this process (seconds), and their sum since a start. */
export interface Waits {
  byThread: Map<string, number>;
  total: number;
}

/**
 * Seconds the threads of this process spent runnable but waiting for a core (field 2 of each thread's
 * /proc/self/task/<tid>/schedstat), since `since` (per thread: a thread born later counts from 0). On a shared machine
 * this, not I/O, is where a CPU-bound bench's wall clock goes. Threads that have exited drop out of /proc, so sample
 * while they run and pass the previous sample as `last` (its figures are kept for threads gone since). 0 without /proc.
 */
export function runQueueWait(since?: Waits, last?: Waits): Waits {
  const byThread = new Map<string, number>();
  const tasks = '/proc/self/task';
  if (existsSync(tasks)) {
    for (const tid of readdirSync(tasks)) {
      try {
        byThread.set(tid, Number(readFileSync(`${tasks}/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  for (const [tid, w] of last?.byThread ?? []) if (!byThread.has(tid)) byThread.set(tid, w);
  let total = 0;
  for (const [tid, w] of byThread) total += w - (since?.byThread.get(tid) ?? 0);
  return { byThread, total };
}
