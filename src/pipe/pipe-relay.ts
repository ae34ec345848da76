import type { LookupFunction } from 'node:net';
import type { PipeTiming } from '../config.js';
import { realTimers } from '../servers/supervision/timers.js';
import { closeVerdict } from './close-codes.js';
import { endpointRedactor } from './endpoint-url.js';
import { closePipeConnection, closeReport, loadWebSocket, openPipeConnection, type PipeConnection } from './pipe-connection.js';
import type { PipeLog } from './pipe-log.js';
import { createPipeRetry } from './pipe-retry.js';
import { pipeStates, type PipeState } from './pipe-state.js';
import { newPipeRecord, pipeStatus, type PipeStatus } from './pipe-status.js';
import type { OpenTransport } from './transport-link.js';

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
  const record = newPipeRecord();
  let started = false;
  let stopping = false;
  let current: PipeConnection | null = null;
  const closing = new Set<Promise<void>>();

  const move = (to: PipeState) => {
    record.state = pipeStates.transition(record.state, to);
  };
  const say = (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => opts.log[level](redact(msg));

  const retry = createPipeRetry({ timers, timing, record, say: (msg) => say('info', msg), retry: () => void connect() });
  const scheduleRetry = () => {
    // A stop while the endpoint was being resolved: nothing more to try.
    if (stopping) return;
    move('retrying');
    retry.schedule();
  };

  /** An attempt that failed before any connection: logged, then retried. */
  const failAttempt = (error: string) => {
    record.lastError = redact(error);
    say('warn', record.lastError);
    scheduleRetry();
  };

  /** The connection closed: retried unless the endpoint said not to (then `fatal`). */
  const closed = (conn: PipeConnection, code: number, reason: string) => {
    if (current === conn) current = null;
    const link = conn.link;
    if (link) {
      record.pastRestarts += link.stats().restarts;
      const done = link.close().finally(() => closing.delete(done));
      closing.add(done);
    }
    if (stopping) return;
    const report = closeReport(conn, code, reason, opts.display);
    say('warn', report.logged);
    record.lastError = report.error;
    const verdict = closeVerdict(code, reason, conn.httpStatus);
    if (!verdict.retry) {
      move('fatal');
      record.lastError = verdict.reason;
      say('error', `${verdict.reason}: not retrying (fix the endpoint or its token, then start the pipe again)`);
      opts.onFatal?.(verdict.reason ?? 'rejected');
      return;
    }
    if (conn.openedAt !== null && timers.now() - conn.openedAt >= timing.stableMs) record.attempts = 0;
    scheduleRetry();
  };

  const connect = async (): Promise<void> => {
    if (stopping) return;
    move('connecting');
    record.nextRetryAt = null;
    let url: string;
    let WebSocket: Awaited<ReturnType<typeof loadWebSocket>>;
    try {
      url = await opts.endpoint();
    } catch (err) {
      return failAttempt(`the endpoint could not be resolved: ${(err as Error).message}`);
    }
    try {
      WebSocket = await loadWebSocket();
    } catch (err) {
      return failAttempt(`the WebSocket client could not be loaded: ${(err as Error).message}`);
    }
    if (stopping) return;
    const own = endpointRedactor(url);
    redact = (t) => extraRedact(own(t));
    try {
      current = openPipeConnection(url, {
        WebSocket,
        opts,
        timers,
        record,
        redact: (t) => redact(t),
        say,
        onOpen: () => {
          move('connected');
          record.connects++;
          say('info', `connected to ${opts.display}`);
        },
        onClose: closed,
      });
    } catch (err) {
      return failAttempt(`the endpoint cannot be used: ${(err as Error).message}`);
    }
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
      retry.cancel();
      if (current) await closePipeConnection(current, timers);
      await Promise.all([...closing]);
      if (record.state !== 'fatal' && record.state !== 'stopped') move('stopped');
    },

    status: (): PipeStatus => pipeStatus(record, opts.display, current, timers.now()),
  };
}

export type PipeRelay = ReturnType<typeof createPipeRelay>;
