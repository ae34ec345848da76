import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who a call to a managed server is made for: `user:<name>` or `api_key:<name>` when it came through
 * the API or the gateway. Requests sent inside `withCallContext` carry it into the protocol log;
 * responses inherit it from their request. Messages outside (health pings, the handshake) have none.
 */
export interface CallContext {
  caller: string | null;
  sessionId?: string | null;
}

const storage = new AsyncLocalStorage<CallContext>();

export function withCallContext<T>(ctx: CallContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}
