import type { NewMcpLogRow } from './mcp-log.table.js';
import { formatPayload } from './payload.js';
import { RingBuffer } from './ring-buffer.js';
import { createPendingRequests } from './pending-requests.js';

export type Direction = 'in' | 'out';

export interface RecordContext {
  caller?: string | null | undefined;
  sessionId?: string | null | undefined;
}

/** A response paired with its request. */
export interface PairedResponse {
  server: string;
  method: string;
  durationMs: number;
  outcome: 'ok' | 'error';
}

export interface TrafficRecorderOptions {
  /** Writes one batch, in one transaction. A rejection counts the batch as failed (not retried). */
  insert(rows: NewMcpLogRow[]): Promise<void>;
  /** Entries held in memory at most; when full the oldest unwritten one is dropped (default 10,000). */
  maxBuffer?: number;
  /** Rows per batch; a full batch is written at once (default 500). */
  batchSize?: number;
  /**
   * Otherwise a message waits at most this long before the batch holding it is written (default
   * 100 ms): what a kill -9 can lose of answered calls. No timer runs while nothing is buffered.
   */
  flushIntervalMs?: number;
  /** Longest stored payload in bytes (default 16 KiB). */
  payloadCap?: number;
  /** Removes known secret values from payload text (default: none). */
  redact?: (text: string) => string;
  /** Key names redacted besides the built-in ones (password, token, authorization, api_key, secret...). */
  sensitiveKeys?: readonly string[];
  /** Requests waiting for their response, at most (default 10,000); the oldest is forgotten. */
  maxPending?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
  /** Sees every response paired with its request (call metrics). Must be quick. */
  onResponse?: (r: PairedResponse) => void;
}

export interface RecorderStats {
  buffered: number;
  written: number;
  /** Entries dropped unwritten because the buffer was full. */
  dropped: number;
  /** Entries lost in batches the database refused. */
  failed: number;
  pending: number;
}

export interface TrafficRecorder {
  /** Synchronous and O(1): copies the facts and queues the message; never throws, never blocks. */
  record(server: string, direction: Direction, message: unknown, ctx?: RecordContext): void;
  /** Writes everything buffered so far. */
  flush(): Promise<void>;
  stats(): RecorderStats;
  /** Stops the timer and writes what is left. Later records are dropped. */
  close(): Promise<void>;
}

interface Entry {
  time: number;
  server: string;
  direction: Direction;
  message: unknown;
  caller: string | null;
  sessionId: string | null;
  method: string | null;
  id: string | null;
  durationMs: number | null;
  outcome: 'ok' | 'error' | null;
  errorCode: number | null;
}

interface Pending {
  time: number;
  method: string;
  caller: string | null;
  sessionId: string | null;
}

/**
 * The MCP protocol recorder: takes a copy of every JSON-RPC message off the hot path and writes it
 * to `mcp_logs` in batches. Responses are paired with their request by (server, direction, id) for
 * duration, method, caller and outcome; a tool result with `isError` counts as an error outcome.
 * Messages are serialized (redacted, capped) when written, so callers must not mutate them.
 */
export function createTrafficRecorder(opts: TrafficRecorderOptions): TrafficRecorder {
  const now = opts.now ?? Date.now;
  const batchSize = opts.batchSize ?? 500;
  const maxPending = opts.maxPending ?? 10_000;
  const buffer = new RingBuffer<Entry>(opts.maxBuffer ?? 10_000);
  const pending = createPendingRequests<Pending>(maxPending);
  const payloadOptions = {
    cap: opts.payloadCap ?? 16 * 1024,
    redact: opts.redact ?? ((t: string) => t),
    sensitiveKeys: new Set((opts.sensitiveKeys ?? []).map((k) => k.toLowerCase().replace(/[-_. ]/g, ''))),
  };
  let written = 0;
  let dropped = 0;
  let failed = 0;
  let closed = false;
  let flushing: Promise<void> | null = null;
  let kick: NodeJS.Immediate | null = null;
  const flushDelayMs = opts.flushIntervalMs ?? 100;
  let soon: NodeJS.Timeout | null = null;
  /** Armed by the first message after a write started: the buffer is written within flushDelayMs. */
  const arm = () => {
    soon = setTimeout(() => {
      soon = null;
      void flush();
    }, flushDelayMs);
    soon.unref();
  };

  const toRow = (e: Entry): NewMcpLogRow => {
    let payload: string | null = null;
    let size = 0;
    try {
      ({ payload, size } = formatPayload(e.message, payloadOptions));
    } catch (err) {
      opts.onError?.(err);
    }
    return {
      time: new Date(e.time).toISOString(),
      server: e.server,
      caller: e.caller,
      session_id: e.sessionId,
      direction: e.direction,
      method: e.method,
      jsonrpc_id: e.id,
      duration_ms: e.durationMs,
      outcome: e.outcome,
      error_code: e.errorCode,
      size,
      payload,
    };
  };

  const writeSome = async (): Promise<void> => {
    while (buffer.size > 0) {
      const batch = buffer.take(batchSize);
      try {
        await opts.insert(batch.map(toRow));
        written += batch.length;
      } catch (err) {
        failed += batch.length;
        opts.onError?.(err);
      }
    }
  };

  /** One writer at a time; a flush asked for while writing runs right after. */
  const flush = (): Promise<void> => {
    if (flushing) return flushing.then(() => (buffer.size > 0 ? flush() : undefined));
    flushing = writeSome().finally(() => {
      flushing = null;
    });
    return flushing;
  };

  const pairKey = (server: string, requestDirection: Direction, id: string) => `${requestDirection}\u0000${server}\u0000${id}`;

  return {
    record(server, direction, message, ctx) {
      if (closed) return;
      try {
        const m = message as { id?: unknown; method?: unknown; error?: { code?: unknown }; result?: { isError?: unknown } };
        const hasId = typeof m.id === 'string' || typeof m.id === 'number';
        const id = hasId ? String(m.id) : null;
        const t = now();
        const entry: Entry = {
          time: t,
          server,
          direction,
          message,
          caller: ctx?.caller ?? null,
          sessionId: ctx?.sessionId ?? null,
          method: typeof m.method === 'string' ? m.method : null,
          id,
          durationMs: null,
          outcome: null,
          errorCode: null,
        };
        if (id !== null && entry.method !== null) {
          pending.add(pairKey(server, direction, id), { time: t, method: entry.method, caller: entry.caller, sessionId: entry.sessionId });
        } else if (id !== null) {
          const request = pending.take(pairKey(server, direction === 'in' ? 'out' : 'in', id), entry.sessionId);
          const isError = m.error !== undefined || m.result?.isError === true;
          entry.outcome = isError ? 'error' : 'ok';
          entry.errorCode = typeof m.error?.code === 'number' ? m.error.code : null;
          if (request) {
            entry.method = request.method;
            entry.durationMs = Math.max(0, t - request.time);
            entry.caller ??= request.caller;
            entry.sessionId ??= request.sessionId;
            opts.onResponse?.({ server, method: request.method, durationMs: entry.durationMs, outcome: entry.outcome });
          }
        }
        if (buffer.push(entry)) dropped++;
        if (!soon) arm();
        if (buffer.size >= batchSize && !kick && !flushing) {
          kick = setImmediate(() => {
            kick = null;
            void flush();
          });
        }
      } catch (err) {
        opts.onError?.(err);
      }
    },
    flush,
    stats: () => ({ buffered: buffer.size, written, dropped, failed, pending: pending.size }),
    async close() {
      closed = true;
      if (soon) clearTimeout(soon);
      soon = null;
      if (kick) clearImmediate(kick);
      kick = null;
      await flush();
    },
  };
}
