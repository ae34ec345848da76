import { stateMachine } from '../lib/state-machine.js';

/**
 * The lifecycle of a pipe, and the only place that says which transitions exist.
 *
 * - stopped:    not started yet, or stopped by its owner.
 * - connecting: resolving the endpoint and opening the WebSocket.
 * - connected:  the WebSocket is open; messages are relayed.
 * - retrying:   the attempt failed or the connection closed; a reconnect is scheduled.
 * - fatal:      the endpoint said not to retry; the pipe stays down (stopping it keeps `fatal`).
 */
export const PIPE_STATES = ['connecting', 'connected', 'retrying', 'stopped', 'fatal'] as const;

export type PipeState = (typeof PIPE_STATES)[number];

/** `transition` returns the new state, or throws IllegalTransitionError (a bug). */
export const pipeStates = stateMachine<PipeState>('pipe', {
  stopped: ['connecting'],
  connecting: ['connected', 'retrying', 'fatal', 'stopped'],
  connected: ['retrying', 'fatal', 'stopped'],
  retrying: ['connecting', 'stopped'],
  fatal: [],
});
