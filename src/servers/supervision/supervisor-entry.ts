import type { FailureWindow } from './backoff.js';
import type { ChildExit } from '../process/child-process.js';
import type { ServerConfig } from '../server-config.js';
import type { ServerInstance } from './server-instance.js';
import type { ServerState } from './server-state.js';
import type { TransitionRecord } from './server-status.js';
import type { StderrBuffer } from '../process/stderr-buffer.js';

/** What the supervisor holds for one server: its config, state, in-flight work and record. */
export interface SupervisorEntry {
  config: ServerConfig;
  state: ServerState;
  /** Bumped whenever in-flight work (a start, a restart timer, a health loop, a lost-connection
   * callback) must be abandoned; each of those compares the epoch it was started under. */
  epoch: number;
  instance: ServerInstance | null;
  launching: { promise: Promise<void>; abort: AbortController } | null;
  stopping: Promise<void> | null;
  cancelRestart: (() => void) | null;
  nextRestartAt: number | null;
  stopHealth: (() => void) | null;
  /** Instances being torn down; a new spawn waits for them. */
  teardowns: Set<Promise<void>>;
  failures: FailureWindow;
  failuresTotal: number;
  restarts: number;
  runningSince: number | null;
  lastError: string | null;
  lastExit: ChildExit | null;
  history: TransitionRecord[];
  stderr: StderrBuffer;
}

export function newEntry(config: ServerConfig, failures: FailureWindow, stderr: StderrBuffer): SupervisorEntry {
  return {
    config,
    state: 'stopped',
    epoch: 0,
    instance: null,
    launching: null,
    stopping: null,
    cancelRestart: null,
    nextRestartAt: null,
    stopHealth: null,
    teardowns: new Set(),
    failures,
    failuresTotal: 0,
    restarts: 0,
    runningSince: null,
    lastError: null,
    lastExit: null,
    history: [],
    stderr,
  };
}

/** Forgets the scheduled restart (cancelling its timer if it has not fired). */
export function clearRestart(entry: SupervisorEntry): void {
  entry.cancelRestart?.();
  entry.cancelRestart = null;
  entry.nextRestartAt = null;
}

/**
 * The cleanup before a failure or a stop: abandons in-flight work (bumps the epoch), cancels a
 * scheduled restart and stops the health loop. The instance stays on the entry; see takeInstance.
 */
export function abandonWork(entry: SupervisorEntry): void {
  entry.epoch++;
  clearRestart(entry);
  entry.stopHealth?.();
  entry.stopHealth = null;
}

/** Takes the instance off the entry (the caller tears it down); the entry is no longer running. */
export function takeInstance(entry: SupervisorEntry): ServerInstance | null {
  const instance = entry.instance;
  entry.instance = null;
  entry.runningSince = null;
  return instance;
}
