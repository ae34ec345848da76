import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Read-only views of the host's process table, used to verify a recorded pid before killing it
 * and to count a server's processes. Linux reads /proc; elsewhere `ps` gives a reduced view.
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state as in ps(1): R, S, D, Z (zombie), T, ... */
  state: string;
  /** An opaque value that changes when the pid is reused (start time since boot on Linux). */
  startTime: string;
}

const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/** One process, or null when it does not exist. */
export function readProcess(pid: number): ProcessInfo | null {
  if (HAS_PROC) return readProcStat(pid);
  return listProcesses().find((p) => p.pid === pid) ?? null;
}

/** Every process visible to us. */
export function listProcesses(): ProcessInfo[] {
  if (!HAS_PROC) return listWithPs();
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProcStat(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/**
 * Whether the process's environment holds `NAME=value`. False when it cannot be read (another
 * user's process, or no /proc), so callers treat "unknown" as "not ours".
 */
export function environHas(pid: number, entry: string): boolean {
  if (!HAS_PROC) return false;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
}

function readProcStat(pid: number): ProcessInfo | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  //  cutime cstime priority nice num_threads itrealvalue starttime ..." — comm may hold spaces
  // and parentheses, so fields are counted from the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = rest[0] ?? '?';
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const startTime = rest[19];
  if (!Number.isFinite(ppid) || !Number.isFinite(pgid) || startTime === undefined) return null;
  return { pid, ppid, pgid, state, startTime };
}

function listWithPs(): ProcessInfo[] {
  let text: string;
  try {
    text = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat=,lstart='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), state: (m[4] ?? '?').charAt(0), startTime: m[5] ?? '' });
  }
  return out;
}
