import { spawn as nodeSpawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { listProcesses, readProcess } from './process-table.js';

/**
 * The process seam of the supervisor: spawn a child in its own process group and stop the whole
 * group in steps. Everything that touches real processes for stdio servers goes through here.
 */

export interface SpawnRequest {
  command: string;
  args: readonly string[];
  /** The complete environment of the child (nothing else is inherited). */
  env: Record<string, string>;
  cwd?: string | undefined;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopTimeouts {
  /** After closing stdin, how long the child gets to exit on its own. */
  stdinMs: number;
  /** After SIGTERM to the group, how long before SIGKILL. */
  termMs: number;
  /** After SIGKILL, how long to wait for the group to disappear before giving up. */
  killMs: number;
}

export const DEFAULT_STOP_TIMEOUTS: StopTimeouts = { stdinMs: 2000, termMs: 2000, killMs: 2000 };

export interface ChildHandle {
  readonly pid: number;
  /** The process group id; equal to `pid`, since the child leads its own group. */
  readonly pgid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once, when the group leader has exited. Never rejects. */
  readonly exited: Promise<ChildExit>;
  /** The exit of the leader, or null while it runs. */
  exit(): ChildExit | null;
  /** Sends a signal to the whole process group; a group that is already gone is not an error. */
  signalGroup(signal: NodeJS.Signals): void;
  /**
   * Stops the leader and every process left in its group: close stdin, wait, SIGTERM to the
   * group, wait, SIGKILL to the group. Resolves with the leader's exit once the group is empty
   * (or the kill wait ran out). Idempotent: later calls share the first stop.
   */
  stop(timeouts?: Partial<StopTimeouts>): Promise<ChildExit>;
}

/** The seam's type, so a supervisor can be given another implementation in tests. */
export type SpawnChild = (req: SpawnRequest) => Promise<ChildHandle>;

/**
 * Spawns `req.command` detached (a new process group led by the child) with piped stdio.
 * Rejects when the process cannot be started (ENOENT, EACCES, bad cwd), with the OS reason.
 */
export const spawnChild: SpawnChild = (req) =>
  new Promise<ChildHandle>((resolve, reject) => {
    const child = nodeSpawn(req.command, [...req.args], {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let lastExit: ChildExit | null = null;
    let resolveExited!: (e: ChildExit) => void;
    const exited = new Promise<ChildExit>((r) => (resolveExited = r));

    child.on('error', (err) => {
      if (child.pid === undefined) {
        reject(new Error(`cannot start "${req.command}": ${err.message}`, { cause: err }));
      }
    });
    child.once('exit', (code, signal) => {
      lastExit = { code, signal };
      resolveExited(lastExit);
    });
    // Errors on the pipes (EPIPE after the child died) are expected and reported elsewhere.
    child.stdin.on('error', () => {});
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});

    child.once('spawn', () => {
      const pid = child.pid as number;
      let stopping: Promise<ChildExit> | null = null;
      const handle: ChildHandle = {
        pid,
        pgid: pid,
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        exit: () => lastExit,
        signalGroup: (signal) => signalGroup(pid, signal),
        stop: (timeouts) => {
          stopping ??= stopGroup(handle, { ...DEFAULT_STOP_TIMEOUTS, ...timeouts });
          return stopping;
        },
      };
      resolve(handle);
    });
  });

async function stopGroup(child: ChildHandle, t: StopTimeouts): Promise<ChildExit> {
  child.stdin.end();
  await settlesWithin(child.exited, t.stdinMs);
  if (isGroupAlive(child.pgid)) {
    child.signalGroup('SIGTERM');
    await groupGoneWithin(child, t.termMs);
  }
  if (isGroupAlive(child.pgid)) {
    child.signalGroup('SIGKILL');
    await groupGoneWithin(child, t.killMs);
  }
  // The leader was reaped by Node, so its exit is known once the group is gone; if the kill wait
  // ran out (an unkillable process in D state), report what we know.
  return child.exit() ?? (await settlesWithin(child.exited, t.killMs)) ?? { code: null, signal: 'SIGKILL' };
}

/**
 * Whether a process with this pid is still running. A zombie is not: it has exited and waits only
 * for its parent to collect it, which for an orphan (re-parented to the init process) can take
 * seconds on some hosts (seen: ~2 s).
 */
export function isAlive(pid: number): boolean {
  return probe(pid) && readProcess(pid)?.state !== 'Z';
}

/** Whether any process of the process group `pgid` is still running (zombies left out, as above). */
export function isGroupAlive(pgid: number): boolean {
  return probe(-pgid) && listProcesses().some((p) => p.pgid === pgid && p.state !== 'Z');
}

function probe(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a whole group; ESRCH (already gone) is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Resolves with the promise's value, or with undefined after `ms`. The timer is ref'd: shutdown awaits
 * these waits, and an unref'd one would let the event loop empty and the process exit half-way.
 */
export function settlesWithin<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/** Waits until the leader has exited and no process is left in the group, polling (ref'd timers), at most `ms`. */
async function groupGoneWithin(child: ChildHandle, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let delay = 5; ; delay = Math.min(delay * 2, 50)) {
    if (child.exit() !== null && !isGroupAlive(child.pgid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise<void>((r) => setTimeout(r, delay));
  }
}
