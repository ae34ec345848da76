import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../servers/process/child-process.js';
import { readProcess } from '../servers/process/process-table.js';

/**
 * One platform per data folder. `serve` takes `<DATA_DIR>/instance.lock` before it touches anything
 * (pid files, keys, database); `mcps status` and `mcps stop` read it. The file names its owner by pid
 * and process start time, so a lock left by a dead process (or a reused pid) is taken over, never obeyed.
 * With PostgreSQL the lock still lives in DATA_DIR: each instance has its own data folder.
 */

export const INSTANCE_LOCK_FILE = 'instance.lock';

export interface InstanceRecord {
  pid: number;
  /** From the process table; null when it could not be read. */
  startTime: string | null;
  startedAt: string;
  /** Where local clients reach it; null while it is starting. */
  url: string | null;
}

export interface InstanceLock {
  /** Records the URL once the platform listens. */
  setUrl(url: string): void;
  /** Removes the lock if it is still ours. */
  release(): void;
}

export class InstanceLockedError extends Error {
  override name = 'InstanceLockedError';
  constructor(
    readonly owner: InstanceRecord,
    dataDir: string,
  ) {
    super(`another instance is running on ${dataDir}: pid ${owner.pid}, ${owner.url ?? 'still starting'} (stop it with \`mcps stop\`)`);
  }
}

/** Takes the lock of `dataDir` (creating the folder 0700), or throws InstanceLockedError naming the owner. */
export function acquireInstanceLock(dataDir: string): InstanceLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, INSTANCE_LOCK_FILE);
  const own: InstanceRecord = { pid: process.pid, startTime: readProcess(process.pid)?.startTime ?? null, startedAt: new Date().toISOString(), url: null };
  const write = (target: string) => writeFileSync(target, JSON.stringify(own), { mode: 0o600 });
  const tmp = `${file}.${process.pid}`;
  write(tmp);
  try {
    // link() creates the lock with its content in one step, and fails if one exists.
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw err;
        const owner = readRecord(file);
        if (owner && isRunning(owner)) throw new InstanceLockedError(owner, dataDir);
        rmSync(file, { force: true }); // stale: its owner is gone
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const ours = () => readRecord(file)?.pid === own.pid;
  return {
    setUrl(url) {
      own.url = url;
      write(tmp);
      if (ours()) renameSync(tmp, file);
      else rmSync(tmp, { force: true });
    },
    release() {
      if (ours()) rmSync(file, { force: true });
    },
  };
}

/** The platform holding the lock of `dataDir`, or null when none is running. */
export function runningInstance(dataDir: string): InstanceRecord | null {
  const owner = readRecord(path.join(dataDir, INSTANCE_LOCK_FILE));
  return owner && isRunning(owner) ? owner : null;
}

/** Whether the recorded process still runs: same pid, same start time, not a zombie. */
export function isRunning(rec: InstanceRecord): boolean {
  if (!isAlive(rec.pid)) return false;
  const now = readProcess(rec.pid);
  if (!now) return true; // alive but unreadable (another user's process): not ours to take over
  return now.state !== 'Z' && (rec.startTime === null || now.startTime === rec.startTime);
}

function readRecord(file: string): InstanceRecord | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<InstanceRecord>;
    if (typeof v.pid !== 'number') return null;
    return {
      pid: v.pid,
      startTime: typeof v.startTime === 'string' ? v.startTime : null,
      startedAt: String(v.startedAt ?? ''),
      url: typeof v.url === 'string' ? v.url : null,
    };
  } catch {
    return null;
  }
}
