import { stateMachine } from '../../lib/state-machine.js';

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

const machine = stateMachine<ServerState>('server', {
  stopped: ['starting'],
  starting: ['running', 'backoff', 'fatal', 'stopping'],
  running: ['stopping', 'backoff', 'fatal', 'stopped'],
  backoff: ['starting', 'stopping'],
  stopping: ['stopped'],
  fatal: ['starting', 'stopped'],
});

export const { canTransition, transition } = machine;
export { IllegalTransitionError } from '../../lib/state-machine.js';
