/**
 * The lifecycle of a managed server, and the only place that says which transitions exist.
 *
 * - stopped:  not running, by choice (never started, stopped by a person, or exited and the
 *             restart policy said not to restart).
 * - starting: spawning / connecting and running the MCP handshake.
 * - running:  handshake done; calls are served.
 * - backoff:  failed; a restart is scheduled.
 * - stopping: a stop is in progress (stdin, SIGTERM, SIGKILL on the group).
 * - fatal:    gave up (retry budget spent, or the start can never succeed); no more spawns until a
 *             person starts it again.
 */
export const SERVER_STATES = ['stopped', 'starting', 'running', 'backoff', 'stopping', 'fatal'] as const;

export type ServerState = (typeof SERVER_STATES)[number];

const TRANSITIONS: Readonly<Record<ServerState, readonly ServerState[]>> = {
  stopped: ['starting'],
  starting: ['running', 'backoff', 'fatal', 'stopping'],
  running: ['stopping', 'backoff', 'fatal', 'stopped'],
  backoff: ['starting', 'stopping'],
  stopping: ['stopped'],
  fatal: ['starting', 'stopped'],
};

export function canTransition(from: ServerState, to: ServerState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: ServerState,
    readonly to: ServerState,
  ) {
    super(`illegal server state transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Returns `to` when the transition is legal; throws IllegalTransitionError (a bug) otherwise. */
export function transition(from: ServerState, to: ServerState): ServerState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}
