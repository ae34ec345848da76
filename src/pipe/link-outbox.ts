import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { errorResponse, type RequestId } from '../lib/jsonrpc-envelope.js';
import { SERVER_UNAVAILABLE, isRequest } from './jsonrpc.js';

export interface LinkOutboxOptions {
  /** Sends to the server not yet settled, at most; later messages wait in order. */
  maxInFlight: number;
  /** The transport now in use; messages meant for an older one are dropped. */
  current(): Transport | null;
  /** Sends a message to the endpoint (the WebSocket). */
  toEndpoint(message: JSONRPCMessage): void;
  /** Sees each message as it is accepted for the server (the initialize replay keeps the session's). */
  accepted(message: JSONRPCMessage): void;
  redact(text: string): string;
  warn(msg: string): void;
  onBacklog?(waiting: number): void;
}

/**
 * The endpoint -> server side of a transport link: sends in order with at most `maxInFlight` open,
 * and keeps the requests the server has not answered, so that each gets an error, never silence,
 * when the server cannot take it or stops.
 */
export function createLinkOutbox(opts: LinkOutboxOptions) {
  /** Requests from the endpoint the current server has not answered: id -> method. */
  const pending = new Map<RequestId, string>();
  let inFlight = 0;
  let outbox: { t: Transport; message: JSONRPCMessage }[] = [];

  const dispatch = (t: Transport, message: JSONRPCMessage) => {
    inFlight++;
    t.send(message)
      .catch((err: unknown) => {
        if (t !== opts.current()) return;
        const text = opts.redact((err as Error).message ?? String(err));
        opts.warn(`could not pass a message to the server: ${text}`);
        if (isRequest(message) && pending.delete(message.id)) {
          opts.toEndpoint(errorResponse(message.id, SERVER_UNAVAILABLE, `the MCP server could not take the request: ${text}`));
        }
      })
      .finally(() => {
        inFlight--;
        pump();
        opts.onBacklog?.(outbox.length);
      });
  };

  /** Sends waiting messages in order while fewer than maxInFlight sends are open. */
  const pump = () => {
    while (inFlight < opts.maxInFlight && outbox.length > 0) {
      const next = outbox.shift()!;
      // Meant for a server that stopped: its requests were already answered with an error.
      if (next.t === opts.current()) dispatch(next.t, next.message);
    }
  };

  return {
    /** A message from the endpoint for the server on `t`. */
    deliver(t: Transport, message: JSONRPCMessage): void {
      if (isRequest(message)) pending.set(message.id, message.method);
      opts.accepted(message);
      if (inFlight < opts.maxInFlight && outbox.length === 0) dispatch(t, message);
      else {
        outbox.push({ t, message });
        opts.onBacklog?.(outbox.length);
      }
    },
    /** The server answered request `id`. */
    answered(id: RequestId): void {
      pending.delete(id);
    },
    /** Answers every request the server has not with an error. */
    failPending(why: string): void {
      for (const id of pending.keys()) opts.toEndpoint(errorResponse(id, SERVER_UNAVAILABLE, why));
      pending.clear();
    },
    /** Drops the messages waiting to be sent (their server is gone). */
    dropWaiting(): void {
      outbox = [];
    },
    /** Forgets everything (the link closed for good). */
    clear(): void {
      outbox = [];
      pending.clear();
    },
  };
}
