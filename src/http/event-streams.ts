import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';

export interface EventStreamsOptions {
  /** Streams open at once in this process, at most; one more is refused with 503 (default 100). */
  maxStreams?: number;
  /** A comment line this often keeps proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** Bytes a client may leave unread; past that it is too slow and its stream is closed (default 1 MiB). */
  maxBufferedBytes?: number;
  /** The client's reconnection delay, sent as `retry:` (default 3 s). */
  retryMs?: number;
}

/** One open server-sent event stream. */
export interface EventStream {
  /** Sends one event (`data` as JSON). False when the stream is closed, or was just closed as too slow. */
  send(id: string | number, data: unknown, event?: string): boolean;
  /** Runs `fn` once when the stream ends, whoever ends it (client gone, too slow, shutdown). */
  onClose(fn: () => void): void;
  close(): void;
  readonly closed: boolean;
}

export const SSE_STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' };

/** The id the client last saw: the `Last-Event-ID` header (EventSource's reconnection), else `fallback`. */
export function lastEventId(request: FastifyRequest, fallback?: number): number | null {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && /^\d{1,15}$/.test(header.trim())) return Number(header.trim());
  return fallback ?? null;
}

/**
 * The platform's server-sent event streams (the console's live views): opens them through Fastify (so
 * the security headers and hooks apply), bounds how many are open, drops a client that does not keep
 * up instead of buffering for it, sends a heartbeat, and ends them all on shutdown (`closeAll`, from
 * the app's preClose hook) so that closing the app never waits on a stream.
 */
export function createEventStreams(opts: EventStreamsOptions = {}) {
  const maxStreams = opts.maxStreams ?? 100;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const open = new Set<EventStream>();

  function start(reply: FastifyReply): EventStream {
    if (open.size >= maxStreams) throw new AppError('unavailable', `too many event streams open (${maxStreams}); try again later`);
    const body = new PassThrough();
    const closers: (() => void)[] = [];
    let closed = false;
    /** Ends the response (what is buffered is still delivered, for a short while), or cuts it (`cut`). */
    const close = (cut = false) => {
      if (closed) return;
      closed = true;
      open.delete(stream);
      clearInterval(heartbeat);
      for (const fn of closers.splice(0)) fn();
      if (cut) {
        reply.raw.destroy();
        return;
      }
      body.end();
      // The response is over: let the connection go rather than keep it alive for a next request, and
      // never let a client that stopped reading hold a shutdown.
      reply.raw.once('finish', () => reply.raw.socket?.destroy());
      setTimeout(() => reply.raw.destroy(), 1000).unref();
    };
    const write = (text: string): boolean => {
      if (closed) return false;
      body.write(text);
      if (body.readableLength + body.writableLength + reply.raw.writableLength > maxBuffered) {
        close(true);
        return false;
      }
      return true;
    };
    const stream: EventStream = {
      send: (id, data, event) => write(`${event ? `event: ${event}\n` : ''}id: ${id}\ndata: ${JSON.stringify(data)}\n\n`),
      onClose: (fn) => (closed ? fn() : void closers.push(fn)),
      close: () => close(),
      get closed() {
        return closed;
      },
    };
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();
    reply.raw.once('close', () => close());
    open.add(stream);
    void reply.headers(SSE_STREAM_HEADERS).send(body);
    // The headers and the retry delay at once, so the client sees the stream open before any event.
    write(`retry: ${opts.retryMs ?? 3000}\n: open\n\n`);
    return stream;
  }

  return {
    start,
    /** Ends every open stream (platform shutdown). */
    closeAll(): void {
      for (const s of [...open]) s.close();
    },
    get size(): number {
      return open.size;
    },
  };
}

export type EventStreams = ReturnType<typeof createEventStreams>;
