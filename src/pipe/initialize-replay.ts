import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type { RequestId } from '../lib/jsonrpc-envelope.js';
import type { Timers } from '../servers/supervision/timers.js';
import { isRequest } from './jsonrpc.js';

const REPLAY_PREFIX = 'mcps-pipe-reinit-';

/**
 * Remembers the session's `initialize` (once the server accepted it) and sends it again to a
 * restarted server, under an id of its own, followed by `notifications/initialized`. The endpoint
 * never sees the replay's answer: for it the session simply goes on.
 */
export function createInitializeReplay(opts: { timers: Timers; timeoutMs: number; warn(msg: string): void }) {
  let init: { request: JSONRPCMessage & { id: RequestId }; done: boolean } | null = null;
  let seq = 0;
  let waiting: ((ok: boolean) => void) | null = null;

  const adoptVersion = (t: Transport, result: unknown) => {
    const version = (result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
    // HTTP transports put the negotiated version in a header, as the SDK client does after initialize.
    if (typeof version === 'string') t.setProtocolVersion?.(version);
  };

  return {
    /** A message from the endpoint on its way to the server. */
    sent(message: JSONRPCMessage): void {
      if (isRequest(message) && message.method === 'initialize') init = { request: message, done: false };
    },

    /** A response from the server; true when it answers the replay (and is not for the endpoint). */
    answered(t: Transport, message: JSONRPCMessage & { id: RequestId }): boolean {
      if (typeof message.id === 'string' && message.id.startsWith(REPLAY_PREFIX)) {
        const ok = 'result' in message;
        if (ok) adoptVersion(t, message.result);
        else opts.warn(`the restarted server refused the session's initialize: ${JSON.stringify((message as { error?: unknown }).error)}`);
        waiting?.(ok);
        return true;
      }
      if (init && !init.done && message.id === init.request.id && 'result' in message) {
        init.done = true;
        adoptVersion(t, message.result);
      }
      return false;
    },

    /** The server stopped: an initialize it never answered is not replayed. */
    lost(): void {
      if (init && !init.done) init = null;
    },

    /** Sends the accepted initialize to a restarted server; rejects when it is not accepted in time. */
    async replay(t: Transport): Promise<void> {
      if (!init?.done) return;
      let cancel = () => {};
      const answered = new Promise<boolean>((resolve) => {
        waiting = resolve;
        cancel = opts.timers.after(opts.timeoutMs, () => resolve(false));
      });
      await t.send({ ...init.request, id: `${REPLAY_PREFIX}${++seq}` } as JSONRPCMessage);
      const ok = await answered;
      cancel();
      waiting = null;
      if (!ok) throw new Error(`the restarted server did not accept initialize within ${opts.timeoutMs} ms`);
      await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as JSONRPCMessage);
    },

    /** Gives up a replay in progress (the link closes). */
    cancel(): void {
      waiting?.(false);
    },
  };
}
