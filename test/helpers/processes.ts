import { readdirSync, readFileSync } from 'node:fs';
import { listProcesses } from '../../src/servers/process/process-table.js';

/** Every live (non-zombie) descendant of `pid`: children, grandchildren, ... */
export function descendantsOf(pid: number): number[] {
  const procs = listProcesses();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift() as number;
    for (const p of procs) {
      if (p.ppid !== parent) continue;
      queue.push(p.pid);
      if (p.state !== 'Z') out.push(p.pid);
    }
  }
  return out;
}

/** Live (non-zombie) processes in the group `pgid`. */
export function liveGroupMembers(pgid: number): number[] {
  return listProcesses()
    .filter((p) => p.pgid === pgid && p.state !== 'Z')
    .map((p) => p.pid);
}

/** Chromium processes (the browser, its zygotes, renderers and helpers) among the descendants of `pid`. */
export function chromiumDescendants(pid = process.pid): number[] {
  return descendantsOf(pid).filter((p) => isChromium(p));
}

/**
 * Of `pids`, the Chromium processes still alive (not zombies): a helper seen once under this process
 * and reparented to init when its browser died is still found here.
 */
export function chromiumStillAlive(pids: Iterable<number>): number[] {
  const live = new Set(listProcesses().filter((p) => p.state !== 'Z').map((p) => p.pid));
  return [...pids].filter((p) => live.has(p) && isChromium(p));
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function isChromium(pid: number): boolean {
  try {
    return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return false;
  }
}
