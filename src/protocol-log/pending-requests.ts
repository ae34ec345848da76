/** The longest list of requests kept under one key (one id asked again and again without an answer). */
const MAX_PER_KEY = 64;

/**
 * Requests awaiting their response, so that each response is paired with its request's method, time
 * and caller. Keyed by server, direction and JSON-RPC id; the gateway's clients each count their ids
 * from 1, so one key can hold requests of several sessions at once: a response takes the request of
 * its own session when there is one (else the oldest: a managed server's responses come without a
 * session, and its ids are unique on its one connection). At most `max` keys, the oldest dropped first.
 */
export function createPendingRequests<P extends { sessionId: string | null }>(max: number) {
  const byKey = new Map<string, P[]>();
  return {
    add(key: string, request: P): void {
      const list = byKey.get(key);
      if (list) {
        if (list.push(request) > MAX_PER_KEY) list.shift();
        return;
      }
      if (byKey.size >= max) byKey.delete(byKey.keys().next().value as string);
      byKey.set(key, [request]);
    },
    take(key: string, sessionId: string | null): P | undefined {
      const list = byKey.get(key);
      if (!list) return undefined;
      const own = sessionId === null ? -1 : list.findIndex((r) => r.sessionId === sessionId);
      const [request] = list.splice(Math.max(own, 0), 1);
      if (list.length === 0) byKey.delete(key);
      return request;
    },
    get size(): number {
      return byKey.size;
    },
  };
}
