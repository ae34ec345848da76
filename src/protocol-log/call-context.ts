import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who a call to a managed server is made for: `user:<name>` or `api_key:<name>` when it came through
 * the API or the gateway. Requests sent inside `withCallContext` carry it into the protocol log;
 * responses inherit it from their request. Messages outside (health pings, the handshake) have none.
 * The context is read where the supervisor's message tap records (servers-runtime.ts), so a transport
 * must call its tap within the caller's async chain; caller-attribution.test.ts holds every path to it.
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
