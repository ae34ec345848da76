import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type WebSocket from 'ws';
import type { Timers } from '../servers/supervision/timers.js';
import { handshakeStatus } from './close-codes.js';
import { parseFrame } from './jsonrpc.js';
import { startKeepalive } from './keepalive.js';
import type { PipeRelayOptions } from './pipe-relay.js';
import type { PipeRecord } from './pipe-status.js';
import { createTransportLink, type TransportLink } from './transport-link.js';

/** Messages waiting for the server at which reading from the endpoint pauses, and resumes. */
const BACKLOG_HIGH = 1000;
const BACKLOG_LOW = 100;

/** One WebSocket connection of a pipe, with its transport link to the MCP server once open. */
export interface PipeConnection {
  ws: WebSocket;
  link: TransportLink | null;
  openedAt: number | null;
  httpStatus: number | null;
  /** What went wrong on this connection (a socket error, a dead peer), if anything. */
  error: string | null;
  closed: Promise<void>;
}

export interface ConnectionContext {
  /** The `ws` class, loaded by the caller on first use (`loadWebSocket`). */
  WebSocket: typeof WebSocket;
  opts: PipeRelayOptions;
  timers: Timers;
  record: PipeRecord;
  redact(text: string): string;
  say(level: 'info' | 'warn' | 'error' | 'debug', msg: string): void;
  /** The WebSocket opened (the link to the server is starting). */
  onOpen(conn: PipeConnection): void;
  /** The WebSocket closed (`reason` redacted); `conn.closed` resolves right after. */
  onClose(conn: PipeConnection, code: number, reason: string): void;
}

/** `ws`, imported on the first connection: a platform without pipes never loads it. */
export async function loadWebSocket(): Promise<typeof WebSocket> {
  return (await import('ws')).default;
}

/**
 * Opens a WebSocket to `url` (throws when the URL cannot be used): on open a transport link to the
 * server and a keep-alive; text frames are JSON-RPC messages to the server, each message of the
 * server one text frame back (never split).
 */
export function openPipeConnection(url: string, ctx: ConnectionContext): PipeConnection {
  const { opts, timers, record } = ctx;
  const timing = opts.timing;
  const ws = new ctx.WebSocket(url, {
    handshakeTimeout: Math.max(timing.pongTimeoutMs, 5000),
    maxPayload: opts.maxPayload ?? 64 * 1024 * 1024,
    perMessageDeflate: false,
    followRedirects: false,
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  });
  let resolveClosed!: () => void;
  const conn: PipeConnection = { ws, link: null, openedAt: null, httpStatus: null, error: null, closed: new Promise((r) => (resolveClosed = r)) };
  let keepalive: ReturnType<typeof startKeepalive> | null = null;

  const toEndpoint = (message: JSONRPCMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify(message));
    record.messagesOut++;
  };

  ws.on('open', () => {
    conn.openedAt = timers.now();
    ctx.onOpen(conn);
    conn.link = createTransportLink({
      open: opts.open,
      toEndpoint,
      log: opts.log,
      redact: (t) => ctx.redact(t),
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
        ctx.say('warn', conn.error);
        ws.terminate();
      },
    });
  });

  ws.on('message', (data, isBinary) => {
    keepalive?.alive();
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseFrame(text);
    if ('reply' in parsed) {
      ctx.say('warn', `ignored ${isBinary ? 'a binary frame' : parsed.problem} from the endpoint`);
      toEndpoint(parsed.reply);
      return;
    }
    record.messagesIn++;
    conn.link?.fromEndpoint(parsed.message);
  });

  ws.on('error', (err) => {
    conn.httpStatus = handshakeStatus(err.message) ?? conn.httpStatus;
    conn.error = ctx.redact(err.message);
  });

  ws.on('close', (code, reasonBuf) => {
    keepalive?.stop();
    resolveClosed();
    ctx.onClose(conn, code, ctx.redact(reasonBuf.toString('utf8')));
  });

  return conn;
}

/** Closes the connection (code 1000; one still connecting, or not closed within 3 s, is cut). */
export async function closePipeConnection(conn: PipeConnection, timers: Timers): Promise<void> {
  if (conn.ws.readyState === conn.ws.CONNECTING) conn.ws.terminate();
  else conn.ws.close(1000, 'pipe stopping');
  const cancel = timers.after(3000, () => conn.ws.terminate());
  await conn.closed;
  cancel();
}

/** What a closed connection is reported as: the line logged and the pipe's last error. */
export function closeReport(conn: PipeConnection, code: number, reason: string, display: string): { logged: string; error: string } {
  if (conn.openedAt !== null) {
    const closed = `connection closed (code ${code}${reason ? `: ${reason}` : ''})`;
    return { logged: closed, error: conn.error ?? closed };
  }
  const error = conn.error ?? `the connection failed (code ${code})`;
  return { logged: `could not connect to ${display}: ${error}`, error };
}
