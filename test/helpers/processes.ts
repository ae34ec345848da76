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
