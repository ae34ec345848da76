import type { JSONRPCMessage, RequestId, TransportSendOptions } from '@modelcontextprotocol/client';
import { createScopedStore } from '../../lib/scoped-store.js';
import { DelegatingTransport } from './delegating-transport.js';

interface Scope {
  transport: RequestOwners;
  owner: unknown;
  sent: string[];
}

const scope = createScopedStore<Scope>();
const keyOf = (id: RequestId) => (typeof id === 'string' ? `s:${id}` : `n:${String(id)}`);

/**
 * Who each of the SDK client's requests on one connection was made for: a request sent inside
 * `run(owner, fn)` belongs to `owner` until `fn` settles. With `RelatedRequests` (which of our
 * requests a Streamable HTTP server's own request rode with) a per-session upstream's sampling,
 * elicitation or roots request goes to the very client request that caused it, not to whichever
 * is in flight. The SDK client sends a request within its caller's async chain (as the protocol
 * log's call context relies on too), so the owner is read where the request goes out.
 */
export class RequestOwners extends DelegatingTransport {
  private readonly owners = new Map<string, unknown>();

  /** Runs `fn`; the requests it sends on this transport belong to `owner` while it runs. */
  async run<T>(owner: unknown, fn: () => Promise<T>): Promise<T> {
    const s: Scope = { transport: this, owner, sent: [] };
    try {
      return await scope.run(s, fn);
    } finally {
      for (const k of s.sent) this.owners.delete(k);
    }
  }

  /** The owner of our request `id` while its `run` lasts (undefined otherwise). */
  ownerOf(id: RequestId): unknown {
    return this.owners.get(keyOf(id));
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const s = scope.get();
    if (s?.transport === this && 'method' in message && 'id' in message) {
      const k = keyOf(message.id);
      s.sent.push(k);
      this.owners.set(k, s.owner);
    }
    return this.inner.send(message, options);
  }
}
