import type { FetchLike, RequestId } from '@modelcontextprotocol/client';

/** Server requests remembered at most (each is looked up once, when the client dispatches it). */
const MAX_REMEMBERED = 1_000;

const keyOf = (id: unknown) => (typeof id === 'string' ? `s:${id}` : `n:${String(id)}`);

/**
 * Which of our requests a Streamable HTTP server's own request rode with: a server sends a request
 * it makes while serving ours (sampling, elicitation, roots) on the SSE stream that answers our POST.
 * The SDK's client transport does not say which stream a message came on, so the fetch it uses is
 * wrapped: the SSE body of a POSTed request is read on its way to the transport, and each server
 * request seen on it is remembered with the id of the POSTed request, before the transport parses
 * it. A request on the standalone GET stream, or on the stream of a notification, has none.
 */
export class RelatedRequests {
  private readonly related = new Map<string, RequestId>();

  /** The id of our request whose stream carried the server's request `serverRequestId` (forgotten once read). */
  take(serverRequestId: RequestId): RequestId | undefined {
    const k = keyOf(serverRequestId);
    const id = this.related.get(k);
    this.related.delete(k);
    return id;
  }

  /** `fetch` with the SSE bodies of POSTed requests read as they pass. */
  wrap(fetch: FetchLike): FetchLike {
    return async (url, init) => {
      const res = await fetch(url, init);
      const ours = init?.method === "POST" ? requestIdOf(init.body) : undefined;
      if (ours === undefined || !res.body || !res.headers.get('content-type')?.includes('text/event-stream')) return res;
      return new Response(res.body.pipeThrough(this.scanner(ours)), { status: res.status, statusText: res.statusText, headers: res.headers });
    };
  }

  private remember(serverRequestId: unknown, ours: RequestId): void {
    if (typeof serverRequestId !== 'string' && typeof serverRequestId !== 'number') return;
    if (this.related.size >= MAX_REMEMBERED) this.related.delete(this.related.keys().next().value!);
    this.related.set(keyOf(serverRequestId), ours);
  }

  /** Passes the bytes on unchanged; remembers each server request in a complete SSE event first. */
  private scanner(ours: RequestId): TransformStream<Uint8Array, Uint8Array> {
    const decoder = new TextDecoder();
    let buffered = '';
    return new TransformStream({
      transform: (chunk, controller) => {
        buffered += decoder.decode(chunk, { stream: true });
        const events = buffered.split(/\r?\n\r?\n/);
        buffered = events.pop() ?? '';
        for (const event of events) {
          const data = event
            .split(/\r?\n/)
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).replace(/^ /, ''))
            .join('\n');
          if (!data.includes('"method"')) continue;
          try {
            const m = JSON.parse(data) as { method?: unknown; id?: unknown };
            if (typeof m.method === 'string' && m.id !== undefined) this.remember(m.id, ours);
          } catch {
            // not JSON: the transport reports it
          }
        }
        controller.enqueue(chunk);
      },
    });
  }
}

/** The id of a single JSON-RPC request in a POST body, if that is what it is. */
function requestIdOf(body: unknown): RequestId | undefined {
  if (typeof body !== 'string' || !body.includes('"method"')) return undefined;
  try {
    const m = JSON.parse(body) as { method?: unknown; id?: unknown };
    return typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : undefined;
  } catch {
    return undefined;
  }
}
