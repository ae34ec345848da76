import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ListKind } from '../connection/mcp-connection.js';
import type { ServerInstance } from './server-instance.js';
import { transition, type ServerState } from './server-state.js';
import type { TransitionEvent, TransitionRecord } from './server-status.js';
import type { SupervisorEntry } from './supervisor-entry.js';
import type { Timers } from './timers.js';

export interface SupervisorEvents {
  transition: [TransitionEvent];
  list_changed: [{ server: string; kind: ListKind }];
  /** A stdout line that was not JSON-RPC (skipped). */
  noise: [{ server: string; text: string; bytes: number }];
}

export type SupervisorLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** What every part of the supervisor shares: the clock, the log, its events and state changes. */
export interface SupervisorContext {
  readonly timers: Timers;
  readonly log: SupervisorLog | undefined;
  readonly events: EventEmitter<SupervisorEvents>;
  /** Emits an event; a throwing listener is logged, so it cannot break a state change half-way. */
  emit<K extends keyof SupervisorEvents>(event: K, ...args: SupervisorEvents[K]): void;
  /** Changes the entry's state (legal transitions only), records it in its history and emits it. */
  move(entry: SupervisorEntry, to: ServerState, reason: string, error?: string | null): void;
  /** Tears the instance down in the background; the entry's next spawn waits for it. */
  trackTeardown(entry: SupervisorEntry, instance: ServerInstance): void;
}

export function createSupervisorContext(timers: Timers, log: SupervisorLog | undefined, historySize: number): SupervisorContext {
  const events = new EventEmitter<SupervisorEvents>();

  const emit = <K extends keyof SupervisorEvents>(event: K, ...args: SupervisorEvents[K]) => {
    try {
      // Untyped on purpose: the generic spread is beyond TypeScript; `emit`'s signature types callers.
      (events as unknown as EventEmitter).emit(event, ...args);
    } catch (err) {
      log?.error({ err, event }, 'supervisor event listener threw');
    }
  };

  const move = (entry: SupervisorEntry, to: ServerState, reason: string, error: string | null = null) => {
    const from = entry.state;
    entry.state = transition(from, to);
    const record: TransitionRecord = { from, to, at: new Date(timers.now()).toISOString(), reason };
    entry.history.push(record);
    if (entry.history.length > historySize) entry.history.shift();
    const event: TransitionEvent = {
      ...record,
      server: entry.config.name,
      pid: entry.instance?.pid ?? null,
      error,
    };
    log?.info({ server: event.server, from, to, reason, pid: event.pid, error }, 'mcp server state');
    emit('transition', event);
  };

  const trackTeardown = (entry: SupervisorEntry, instance: ServerInstance) => {
    const p = instance.teardown().catch((err: unknown) => {
      log?.error({ err, server: entry.config.name }, 'mcp server teardown failed');
    });
    entry.teardowns.add(p);
    void p.finally(() => entry.teardowns.delete(p));
  };

  return { timers, log, events, emit, move, trackTeardown };
}
