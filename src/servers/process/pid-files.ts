import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isGroupAlive, signalGroup } from './child-process.js';
import { environHas, listProcesses, readProcess } from './process-table.js';

/**
 * Pid files for crash recovery. Each running stdio child has `<dir>/<pid>.json`; a clean stop
 * removes it. On the next platform start, `reapOrphans(dir)` kills whatever a crashed run left.
 *
 * A pid is only trusted when it still names the same process (same start time), and a leaderless
 * group member only when its environment carries the spawn's tag: a reused pid is never killed.
 */

/** Environment variable holding a per-spawn random tag; grandchildren inherit it. */
export const SUPERVISOR_TAG_ENV = 'MCPS_SUPERVISOR_TAG';

export interface PidRecord {
  server: string;
  pid: number;
  pgid: number;
  /** From the process table at spawn time; null when it could not be read. */
  startTime: string | null;
  /** The value of SUPERVISOR_TAG_ENV given to the child. */
  tag: string;
  command: string;
  recordedAt: string;
}

export interface ReapResult {
  server: string;
  pid: number;
  /** `killed`: the recorded group (or tagged survivors) was killed; `gone`: nothing of ours left. */
  outcome: 'killed' | 'gone';
  /** Processes signalled, when known. */
  processes: number;
}

export function recordPid(dir: string, rec: Omit<PidRecord, 'startTime' | 'recordedAt'>): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const full: PidRecord = {
    ...rec,
    startTime: readProcess(rec.pid)?.startTime ?? null,
    recordedAt: new Date().toISOString(),
  };
  writeFileSync(path.join(dir, `${rec.pid}.json`), JSON.stringify(full), { mode: 0o600 });
}

export function forgetPid(dir: string, pid: number): void {
  rmSync(path.join(dir, `${pid}.json`), { force: true });
}

/**
 * Kills the process groups recorded in `dir` by a previous run and removes their files.
 * Contract: call once at platform start, before any server is started with the same `dir`.
 */
export async function reapOrphans(dir: string, opts: { termWaitMs?: number } = {}): Promise<ReapResult[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const results: ReapResult[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const rec = parseRecord(file);
    if (rec) results.push(await reapOne(rec, opts.termWaitMs ?? 1000));
    rmSync(file, { force: true });
  }
  return results;
}

async function reapOne(rec: PidRecord, termWaitMs: number): Promise<ReapResult> {
  const leader = readProcess(rec.pid);
  const leaderIsOurs = leader !== null && rec.startTime !== null && leader.startTime === rec.startTime;
  if (leaderIsOurs) {
    const count = listProcesses().filter((p) => p.pgid === rec.pgid).length;
    signalGroup(rec.pgid, 'SIGTERM');
    await waitUntil(() => !isGroupAlive(rec.pgid), termWaitMs);
    if (isGroupAlive(rec.pgid)) signalGroup(rec.pgid, 'SIGKILL');
    return { server: rec.server, pid: rec.pid, outcome: 'killed', processes: count };
  }
  // The leader is gone (or the pid now names someone else): only processes still in the group
  // that carry our tag are killed, one by one.
  const tagEntry = `${SUPERVISOR_TAG_ENV}=${rec.tag}`;
  const survivors = listProcesses().filter((p) => p.pgid === rec.pgid && environHas(p.pid, tagEntry));
  for (const p of survivors) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return { server: rec.server, pid: rec.pid, outcome: survivors.length ? 'killed' : 'gone', processes: survivors.length };
}

function parseRecord(file: string): PidRecord | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<PidRecord>;
    if (typeof v.pid !== 'number' || typeof v.pgid !== 'number' || typeof v.tag !== 'string') return null;
    return {
      server: String(v.server ?? ''),
      pid: v.pid,
      pgid: v.pgid,
      startTime: typeof v.startTime === 'string' ? v.startTime : null,
      tag: v.tag,
      command: String(v.command ?? ''),
      recordedAt: String(v.recordedAt ?? ''),
    };
  } catch {
    return null;
  }
}

/** Polls with ref'd timers: boot awaits this, and nothing else may be holding the event loop open. */
async function waitUntil(cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise<void>((r) => setTimeout(r, 20));
}
