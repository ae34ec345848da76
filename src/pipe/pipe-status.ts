import type { PipeState } from './pipe-state.js';
import type { LinkState, LinkStats } from './transport-link.js';

/** What a pipe shows (CLI log, the tool's status): never the endpoint's token. */
export interface PipeStatus {
  state: PipeState;
  /** The endpoint with query values and password replaced by `***`. */
  endpoint: string;
  connected_since: string | null;
  next_retry_at: string | null;
  retry_in_ms: number | null;
  /** Failed attempts since the last stable connection. */
  attempts: number;
  /** Connections opened since the pipe started. */
  connects: number;
  last_error: string | null;
  /** JSON-RPC messages endpoint -> server. */
  messages_in: number;
  /** JSON-RPC messages server -> endpoint. */
  messages_out: number;
  server: { state: LinkState | 'idle'; restarts: number; last_error: string | null };
}

/** What a pipe records across its connections. `state` changes only through the relay's move. */
export interface PipeRecord {
  state: PipeState;
  attempts: number;
  connects: number;
  lastError: string | null;
  nextRetryAt: number | null;
  messagesIn: number;
  messagesOut: number;
  /** Restarts of the server behind the pipe on connections that have closed. */
  pastRestarts: number;
}

export function newPipeRecord(): PipeRecord {
  return { state: 'stopped', attempts: 0, connects: 0, lastError: null, nextRetryAt: null, messagesIn: 0, messagesOut: 0, pastRestarts: 0 };
}

/** The status at `now`, with the current connection's open time and server link, if any. */
export function pipeStatus(
  record: PipeRecord,
  display: string,
  current: { openedAt: number | null; link: { stats(): LinkStats } | null } | null,
  now: number,
): PipeStatus {
  const link = current?.link?.stats() ?? null;
  const { state, nextRetryAt } = record;
  return {
    state,
    endpoint: display,
    connected_since: state === 'connected' && current?.openedAt ? new Date(current.openedAt).toISOString() : null,
    next_retry_at: nextRetryAt === null ? null : new Date(nextRetryAt).toISOString(),
    retry_in_ms: nextRetryAt === null ? null : Math.max(0, nextRetryAt - now),
    attempts: record.attempts,
    connects: record.connects,
    last_error: record.lastError,
    messages_in: record.messagesIn,
    messages_out: record.messagesOut,
    server: {
      state: link?.state ?? 'idle',
      restarts: record.pastRestarts + (link?.restarts ?? 0),
      last_error: link?.lastError ?? null,
    },
  };
}
