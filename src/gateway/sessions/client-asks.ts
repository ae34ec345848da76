import { ProtocolError, ProtocolErrorCode, type JSONRPCMessage, type RequestId, type Transport } from '@modelcontextprotocol/server';
import type { ClientFeatureMethod } from '../../servers/connection/mcp-connection.js';
import { GATEWAY_ERROR } from '../mcp-errors.js';
import { MAX_CLIENT_REQUESTS } from './session-server.js';

/** How long the gateway waits for its client to answer (as on the SDK path, session-server.ts). */
const ASK_TIMEOUT_MS = 5 * 60_000;

interface Ask {
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
}

let sequence = 0;
const ASK_PREFIX = 'mcps-ask-';

/**
 * A server's request put to one session's client by the fast path (tool-call-fast-path.ts): sent on
 * the stream of the client's call it rode with, under an id of the gateway's own; the client's
 * answer is taken off the session's incoming messages (`take`) before the SDK server sees it. At
 * most MAX_CLIENT_REQUESTS wait at once (more are refused at once); a request still waiting when
 * its call has its answer, the server gives up, or 5 minutes pass is cancelled at the client.
 */
export function createClientAsks(wire: Pick<Transport, 'send'>) {
  const waiting = new Map<string, Ask>();

  const cancelAtClient = (id: string, reason: string) => {
    void wire.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } }).catch(() => {});
  };

  return {
    /** Sends `method` to the client as part of its request `relatedTo`; the client's result, or a ProtocolError. */
    ask(relatedTo: RequestId, method: ClientFeatureMethod, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Record<string, unknown>> {
      if (waiting.size >= MAX_CLIENT_REQUESTS) {
        return Promise.reject(
          new ProtocolError(GATEWAY_ERROR, `${method} refused: the client of this gateway session already has ${MAX_CLIENT_REQUESTS} requests from the server waiting for an answer (sampling, elicitation, roots)`),
        );
      }
      const id = `${ASK_PREFIX}${++sequence}`;
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const end = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          waiting.delete(id);
        };
        const giveUp = (why: string) => {
          if (!waiting.has(id)) return;
          end();
          cancelAtClient(id, why);
          reject(new ProtocolError(ProtocolErrorCode.InternalError, `the client did not answer ${method}: ${why}`));
        };
        const onAbort = () => giveUp(signal.reason instanceof Error ? signal.reason.message : 'the request was cancelled');
        const timer = setTimeout(() => giveUp(`timed out after ${ASK_TIMEOUT_MS} ms`), ASK_TIMEOUT_MS);
        timer.unref();
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.set(id, {
          resolve: (r) => (end(), resolve(r)),
          reject: (e) => (end(), reject(e)),
        });
        if (signal.aborted) return onAbort();
        const message = { jsonrpc: '2.0' as const, id, method, ...(params ? { params } : {}) };
        wire.send(message, { relatedRequestId: relatedTo }).catch((err: unknown) => giveUp(`it could not be sent: ${(err as Error).message}`));
      });
    },

    /** Takes the client's answer to one of these requests (true); anything else is not ours. */
    take(message: JSONRPCMessage): boolean {
      if (!('id' in message) || 'method' in message || typeof message.id !== 'string' || !message.id.startsWith(ASK_PREFIX)) return false;
      const ask = waiting.get(message.id);
      // An answer to a request given up (or never sent): dropped.
      if (!ask) return true;
      if ('error' in message) {
        const e = message.error as { code: number; message: string; data?: unknown };
        ask.reject(new ProtocolError(e.code, e.message, e.data));
      } else {
        ask.resolve((message as { result: Record<string, unknown> }).result);
      }
      return true;
    },

    /** The session ended: every request waiting fails (the server gets an error). */
    close(): void {
      for (const ask of [...waiting.values()]) ask.reject(new ProtocolError(GATEWAY_ERROR, 'the client session closed'));
    },
  };
}
