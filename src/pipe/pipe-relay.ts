import type { LookupFunction } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import WebSocket from 'ws';
import type { PipeTiming } from '../config.js';
import { backoffDelay } from '../servers/backoff.js';
import { realTimers } from '../servers/timers.js';
import { closeVerdict, handshakeStatus } from './close-codes.js';
import { endpointRedactor } from './endpoint-url.js';
import { parseFrame } from './jsonrpc.js';
import { startKeepalive } from './keepalive.js';
import type { PipeLog } from './pipe-log.js';
import { createTransportLink, type LinkState, type OpenTransport, type TransportLink } from './transport-link.js';

/** Messages waiting for the server at which reading from the endpoint pauses, and resumes. */
const BACKLOG_HIGH = 1000;
const BACKLOG_LOW = 100;

export type PipeState = 'connecting' | 'connected' | 'retrying' | 'stopped' | 'fatal';

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

export interface PipeRelayOptions {
  /** The endpoint URL with its token, resolved at each connection attempt (a rotated token is picked up). */
  endpoint(): Promise<string>;
  /** The endpoint as shown (redacted). */
  display: string;
  /** A new transport to the MCP server, one per WebSocket connection. */
  open: OpenTransport;
  log: PipeLog;
  timing: PipeTiming;
  /** Removes further known secrets from log lines and errors (besides the endpoint's own). */
  redact?: (text: string) => string;
  /** Open sends to the server at most (see TransportLinkOptions.maxInFlight). */
  maxInFlight?: number;
  /** Largest frame accepted from the endpoint (default 64 MiB). */
  maxPayload?: number;
  /** Resolves the endpoint's host (the platform's outbound guard: private addresses refused, DNS pinned). */
  lookup?: LookupFunction;
  /** The pipe gave up (a "do not retry" answer). */
  onFatal?(reason: string): void;
}

interface Connection {
  ws: WebSocket;
  link: TransportLink | null;
  openedAt: number | null;
  httpStatus: number | null;
  /** What went wrong on this connection (a socket error, a dead peer), if anything. */
  error: string | null;
  closed: Promise<void>;
}

/**
 * One pipe: a WebSocket to the endpoint, reconnected with exponential backoff and jitter (reset
 * after a stable connection), kept alive with ping/pong, and on each connection a transport link
 * to the MCP server. WebSocket text frame -> one JSON-RPC message to the server; each message of
 * the server -> one text frame (never split, whatever its size).
 */
export function createPipeRelay(opts: PipeRelayOptions) {
  const timers = realTimers;
  const { timing } = opts;
  const extraRedact = opts.redact ?? ((t: string) => t);
  let redact = (t: string) => extraRedact(t);
  let state: PipeState = 'stopped';
  let started = false;
  let stopping = false;
  let current: Connection | null = null;
  let attempts = 0;
  let connects = 0;
  let lastError: string | null = null;
  let nextRetryAt: number | null = null;
  let cancelRetry: (() => void) | null = null;
  let messagesIn = 0;
  let messagesOut = 0;
  let pastRestarts = 0;
  const closing = new Set<Promise<void>>();

  const say = (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => opts.log[level](redact(msg));

  const toEndpoint = (ws: WebSocket, message: JSONRPCMessage) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(message));
    messagesOut++;
  };

  const scheduleRetry = () => {
    const delay = backoffDelay(attempts++, { baseMs: timing.backoffBaseMs, capMs: timing.backoffMaxMs, factor: 2, jitter: 0.2 });
    state = 'retrying';
    nextRetryAt = timers.now() + delay;
    say('info', `reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempts})`);
    cancelRetry = timers.after(delay, () => {
      cancelRetry = null;
      void connect();
    });
  };

  const connect = async (): Promise<void> => {
    if (stopping) return;
    state = 'connecting';
    nextRetryAt = null;
    let url: string;
    try {
      url = await opts.endpoint();
    } catch (err) {
      lastError = redact(`the endpoint could not be resolved: ${(err as Error).message}`);
      say('warn', lastError);
      return scheduleRetry();
    }
    if (stopping) return;
    const own = endpointRedactor(url);
    redact = (t) => extraRedact(own(t));
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        handshakeTimeout: Math.max(timing.pongTimeoutMs, 5000),
        maxPayload: opts.maxPayload ?? 64 * 1024 * 1024,
        perMessageDeflate: false,
        followRedirects: false,
        ...(opts.lookup ? { lookup: opts.lookup } : {}),
      });
    } catch (err) {
      lastError = redact(`the endpoint cannot be used: ${(err as Error).message}`);
      say('warn', lastError);
      return scheduleRetry();
    }
    let resolveClosed!: () => void;
    const conn: Connection = { ws, link: null, openedAt: null, httpStatus: null, error: null, closed: new Promise((r) => (resolveClosed = r)) };
    current = conn;
    let keepalive: ReturnType<typeof startKeepalive> | null = null;

    ws.on('open', () => {
      conn.openedAt = timers.now();
      state = 'connected';
      connects++;
      say('info', `connected to ${opts.display}`);
      conn.link = createTransportLink({
        open: opts.open,
        toEndpoint: (m) => toEndpoint(ws, m),
        log: opts.log,
        redact: (t) => redact(t),
        backoff: { baseMs: timing.backoffBaseMs, maxMs: timing.backoffMaxMs, stableMs: timing.stableMs },
        // Back-pressure: a server that reads slower than the endpoint writes pauses the socket.
        onBacklog: (waiting) => {
          if (waiting >= BACKLOG_HIGH && !ws.isPaused) ws.pause();
          else if (waiting <= BACKLOG_LOW && ws.isPaused) ws.resume();
        },
        ...(opts.maxInFlight ? { maxInFlight: opts.maxInFlight } : {}),
      });
      void conn.link.start();
      keepalive = startKeepalive(ws, {
        intervalMs: timing.pingIntervalMs,
        timeoutMs: timing.pongTimeoutMs,
        timers,
        onDead: () => {
          conn.error = `no answer to a ping within ${timing.pongTimeoutMs} ms: the endpoint or the network is gone`;
          say('warn', conn.error);
          ws.terminate();
        },
      });
    });

    ws.on('message', (data, isBinary) => {
      keepalive?.alive();
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      const parsed = parseFrame(text);
      if ('reply' in parsed) {
        say('warn', `ignored ${isBinary ? 'a binary frame' : parsed.problem} from the endpoint`);
        toEndpoint(ws, parsed.reply);
        return;
      }
      messagesIn++;
      conn.link?.fromEndpoint(parsed.message);
    });

    ws.on('error', (err) => {
      conn.httpStatus = handshakeStatus(err.message) ?? conn.httpStatus;
      conn.error = redact(err.message);
    });

    ws.on('close', (code, reasonBuf) => {
      keepalive?.stop();
      if (current === conn) current = null;
      const reason = redact(reasonBuf.toString('utf8'));
      if (conn.link) {
        const link = conn.link;
        pastRestarts += link.stats().restarts;
        const done = link.close().finally(() => closing.delete(done));
        closing.add(done);
      }
      resolveClosed();
      if (stopping) return;
      if (conn.openedAt !== null) {
        const closed = `connection closed (code ${code}${reason ? `: ${reason}` : ''})`;
        say('warn', closed);
        lastError = conn.error ?? closed;
      } else {
        lastError = conn.error ?? `the connection failed (code ${code})`;
        say('warn', `could not connect to ${opts.display}: ${lastError}`);
      }
      const verdict = closeVerdict(code, reason, conn.httpStatus);
      if (!verdict.retry) {
        state = 'fatal';
        lastError = verdict.reason;
        say('error', `${verdict.reason}: not retrying (fix the endpoint or its token, then start the pipe again)`);
        opts.onFatal?.(verdict.reason ?? 'rejected');
        return;
      }
      if (conn.openedAt !== null && timers.now() - conn.openedAt >= timing.stableMs) attempts = 0;
      scheduleRetry();
    });
  };

  return {
    /** Starts connecting (returns at once; the pipe keeps trying in the background). */
    start(): void {
      if (started) return;
      started = true;
      void connect();
    },

    /** Closes the WebSocket (code 1000) and stops the server side in steps. Idempotent. */
    async stop(): Promise<void> {
      stopping = true;
      cancelRetry?.();
      cancelRetry = null;
      nextRetryAt = null;
      const conn = current;
      if (conn) {
        if (conn.ws.readyState === WebSocket.CONNECTING) conn.ws.terminate();
        else conn.ws.close(1000, 'pipe stopping');
        const cancel = timers.after(3000, () => conn.ws.terminate());
        await conn.closed;
        cancel();
      }
      await Promise.all([...closing]);
      state = state === 'fatal' ? 'fatal' : 'stopped';
    },

    status(): PipeStatus {
      const link = current?.link?.stats() ?? null;
      const now = timers.now();
      return {
        state,
        endpoint: opts.display,
        connected_since: state === 'connected' && current?.openedAt ? new Date(current.openedAt).toISOString() : null,
        next_retry_at: nextRetryAt === null ? null : new Date(nextRetryAt).toISOString(),
        retry_in_ms: nextRetryAt === null ? null : Math.max(0, nextRetryAt - now),
        attempts,
        connects,
        last_error: lastError,
        messages_in: messagesIn,
        messages_out: messagesOut,
        server: {
          state: link?.state ?? 'idle',
          restarts: pastRestarts + (link?.restarts ?? 0),
          last_error: link?.lastError ?? null,
        },
      };
    },
  };
}

export type PipeRelay = ReturnType<typeof createPipeRelay>;
