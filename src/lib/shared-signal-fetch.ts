import { setMaxListeners } from 'node:events';
import type { FetchLike } from '@modelcontextprotocol/client';

/**
 * `fetch` for the SDK's HTTP client transports, which pass one long-lived abort signal to every
 * request. fetch (undici) adds an abort listener to that signal per request and removes it when the
 * request is garbage collected, so the signal of a busy remote server or `mcps connect` session holds hundreds of them between
 * collections (bounded: checked with 20,000 requests). Past 1,500 Node printed "MaxListenersExceededWarning:
 * Possible EventTarget memory leak detected" to the platform's stderr, a false alarm; the signal's
 * limit is lifted instead (the value each fetch leaves alone, below). (A signal of its own per request, `AbortSignal.any`, would avoid the
 * listeners, but on Node 20 it leaks ~1 KB per request for good.)
 */
export function sharedSignalFetch(fetchImpl: FetchLike): FetchLike {
  // Node's own fetch resets any other limit to 1,500 once 10 listeners are on the signal, but leaves 0
  // (no limit) alone; undici's package (the outbound guard's fetch) throws on 0, and keeps Infinity.
  const limit = fetchImpl === globalThis.fetch ? 0 : Infinity;
  return (url, init) => {
    if (init?.signal) setMaxListeners(limit, init.signal);
    return fetchImpl(url, init);
  };
}
