import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { errorResponse } from '../lib/jsonrpc-envelope.js';
import { backoffDelay } from '../servers/supervision/backoff.js';
import { realTimers } from '../servers/supervision/timers.js';
import { createInitializeReplay } from './initialize-replay.js';
import { SERVER_UNAVAILABLE, isRequest, isResponse } from './jsonrpc.js';
import { createLinkOutbox } from './link-outbox.js';
import type { PipeLog } from './pipe-log.js';

/** Opens a new, not yet started transport to the MCP server behind a pipe (a child, a remote, a gateway session). */
export type OpenTransport = () => Promise<Transport>;

export type LinkState = 'starting' | 'running' | 'restarting' | 'closed';

export interface LinkStats {
  state: LinkState;
  /** Times the server behind the pipe was started again after it stopped. */
  restarts: number;
  /** When the next start is due, while `restarting`. */
  nextStartAt: number | null;
  lastError: string | null;
}

export interface TransportLinkOptions {
  open: OpenTransport;
  /** Sends a message to the endpoint (the WebSocket). */
  toEndpoint(message: JSONRPCMessage): void;
  log: PipeLog;
  redact(text: string): string;
  backoff: { baseMs: number; maxMs: number; stableMs: number };
  /** Messages held while the server is not running; beyond it requests are refused (default 1,000). */
  maxQueue?: number;
  /** How long a re-sent `initialize` may take after a restart (default 30 s). */
  initTimeoutMs?: number;
  /**
   * Sends to the server not yet settled, at most (default 32); later messages wait in order. 1 for
   * a stdio child (each write waits for the pipe to drain: back-pressure), more for HTTP servers,
   * where one slow request must not hold the others.
   */
  maxInFlight?: number;
  /** Messages waiting to be sent to the server: above `high` the endpoint should pause, below `low` resume. */
  onBacklog?(waiting: number): void;
}

/**
 * The server side of one WebSocket connection. Keeps a transport open to the MCP server and
 * restarts it (backoff with jitter, reset after a stable run) when it stops, without touching the
 * WebSocket. After a restart the session's `initialize` is sent again, so the endpoint can go on
 * calling tools. Messages from the endpoint wait in order while the server starts; requests that
 * the old server never answered get a JSON-RPC error instead of silence.
 */
export function createTransportLink(opts: TransportLinkOptions) {
  const timers = realTimers;
  const maxQueue = opts.maxQueue ?? 1000;
  let state: LinkState = 'starting';
  let transport: Transport | null = null;
  let upSince: number | null = null;
  let attempt = 0;
  let restarts = 0;
  let nextStartAt: number | null = null;
  let lastError: string | null = null;
  let cancelTimer: (() => void) | null = null;
  let queue: JSONRPCMessage[] = [];
  const say = (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => opts.log[level](opts.redact(msg));
  const initialize = createInitializeReplay({ timers, timeoutMs: opts.initTimeoutMs ?? 30_000, warn: (msg) => say('warn', msg) });
  const outbox = createLinkOutbox({
    maxInFlight: Math.max(1, opts.maxInFlight ?? 32),
    current: () => transport,
    toEndpoint: (message) => opts.toEndpoint(message),
    accepted: (message) => initialize.sent(message),
    redact: (text) => opts.redact(text),
    warn: (msg) => say('warn', msg),
    onBacklog: (waiting) => opts.onBacklog?.(waiting),
  });

  const fromServer = (t: Transport, message: JSONRPCMessage) => {
    if (t !== transport) return;
    if (isResponse(message)) {
      if (initialize.answered(t, message)) return;
      outbox.answered(message.id);
    }
    opts.toEndpoint(message);
  };

  const failPending = (why: string) => {
    outbox.failPending(why);
    initialize.lost();
  };

  const failQueued = (why: string) => {
    for (const m of queue) if (isRequest(m)) opts.toEndpoint(errorResponse(m.id, SERVER_UNAVAILABLE, why));
    queue = [];
  };

  const scheduleStart = (reason: string) => {
    if (state === 'closed') return;
    const now = timers.now();
    if (upSince !== null && now - upSince >= opts.backoff.stableMs) attempt = 0;
    upSince = null;
    const delay = backoffDelay(attempt++, { baseMs: opts.backoff.baseMs, capMs: opts.backoff.maxMs, factor: 2, jitter: 0.2 });
    state = 'restarting';
    nextStartAt = now + delay;
    say('warn', `${reason}; starting it again in ${(delay / 1000).toFixed(1)} s`);
    cancelTimer = timers.after(delay, () => {
      cancelTimer = null;
      void start(true);
    });
  };

  const start = async (isRestart: boolean): Promise<void> => {
    if (state === 'closed') return;
    nextStartAt = null;
    let t: Transport;
    try {
      t = await opts.open();
    } catch (err) {
      lastError = opts.redact((err as Error).message ?? String(err));
      failQueued(`the MCP server could not be started: ${lastError}`);
      return scheduleStart(`the MCP server could not be started: ${lastError}`);
    }
    if ((state as LinkState) === 'closed') {
      await t.close().catch(() => {});
      return;
    }
    transport = t;
    t.onmessage = (m) => fromServer(t, m);
    t.onerror = (err) => {
      if (t === transport) say('warn', `server transport: ${err.message}`);
    };
    t.onclose = () => {
      if (t !== transport || state === 'closed') return;
      transport = null;
      outbox.dropWaiting();
      opts.onBacklog?.(0);
      lastError = 'the MCP server stopped';
      failPending('the MCP server stopped before answering; it is being restarted');
      if (state === 'starting' || state === 'restarting') failQueued('the MCP server stopped while starting');
      scheduleStart('the MCP server stopped');
    };
    try {
      await startOnce(t);
      if (isRestart) await initialize.replay(t);
    } catch (err) {
      if (t !== transport) return;
      transport = null;
      lastError = opts.redact((err as Error).message ?? String(err));
      await t.close().catch(() => {});
      failQueued(`the MCP server could not be started: ${lastError}`);
      return scheduleStart(`the MCP server could not be started: ${lastError}`);
    }
    if (t !== transport) return;
    if (isRestart) {
      restarts++;
      say('info', 'MCP server running again; the WebSocket stayed connected');
    }
    state = 'running';
    upSince = timers.now();
    const held = queue;
    queue = [];
    for (const m of held) outbox.deliver(t, m);
  };

  return {
    /** Opens the first transport (messages from the endpoint wait until it runs). */
    start: () => start(false),

    /** A message from the endpoint. */
    fromEndpoint(message: JSONRPCMessage): void {
      if (state === 'running' && transport) return outbox.deliver(transport, message);
      if (state === 'closed') return;
      if (queue.length < maxQueue) {
        queue.push(message);
        return;
      }
      if (isRequest(message)) opts.toEndpoint(errorResponse(message.id, SERVER_UNAVAILABLE, 'the MCP server is not running and too many messages are waiting'));
    },

    stats(): LinkStats {
      return { state, restarts, nextStartAt, lastError };
    },

    /** Stops the server side for good (a child is stopped in steps: stdin, SIGTERM, SIGKILL). */
    async close(): Promise<void> {
      if (state === 'closed') return;
      state = 'closed';
      cancelTimer?.();
      initialize.cancel();
      queue = [];
      outbox.clear();
      const t = transport;
      transport = null;
      if (t) await t.close().catch(() => {});
    },
  };
}

export type TransportLink = ReturnType<typeof createTransportLink>;

/**
 * Starts a transport. One handed over already started (the contract says unstarted, but the SDK's
 * transports refuse a second start with "already started") is used as it is.
 */
async function startOnce(t: Transport): Promise<void> {
  try {
    await t.start();
  } catch (err) {
    if (!/already started/i.test((err as Error).message ?? '')) throw err;
  }
}
