import { createScopedStore } from '../lib/scoped-store.js';

/**
 * Who a call to a managed server is made for: `user:<name>` or `api_key:<name>` when it came through
 * the API or the gateway. Requests sent inside `withCallContext` carry it into the protocol log;
 * responses inherit it from their request. Messages outside (health pings, the handshake) have none.
 * The context is read where the supervisor's message tap records (servers-runtime.ts), so a transport
 * must call its tap within the caller's async chain; caller-attribution.test.ts holds every path to it.
 * A message built by the gateway itself (the fast path's forwarded request) carries its caller
 * explicitly instead (`sendAs`): no async context is needed for it.
 */
export interface CallContext {
  caller: string | null;
  sessionId?: string | null;
}

const store = createScopedStore<CallContext>();
const given = new WeakMap<object, CallContext>();

export function withCallContext<T>(ctx: CallContext, fn: () => T): T {
  return store.run(ctx, fn);
}

/** `message` is sent for `ctx` (read by `callContextOf`), wherever it is sent from. */
export function sendAs(message: object, ctx: CallContext | undefined): void {
  if (ctx) given.set(message, ctx);
}

/** Whom `message` is sent for: as given with `sendAs`, else the async context it is sent in. */
export function callContextOf(message: object): CallContext | undefined {
  return given.get(message) ?? store.get();
}
