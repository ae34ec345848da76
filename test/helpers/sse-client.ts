/** A small server-sent events reader for tests: opens a stream and waits for the events asked for. */

export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  contentType: string;
  /** Every event so far (comments too, as `event: 'comment'`). */
  events: SseEvent[];
  /** Waits for an event matching `match` seen after `from` events; rejects after `ms`. */
  next(match: (e: SseEvent) => boolean, ms?: number, from?: number): Promise<SseEvent>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  let ended: Promise<void> = Promise.resolve();
  if (res.ok && res.body) {
    ended = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            events.push(...parse(buffer.slice(0, cut)));
            buffer = buffer.slice(cut + 2);
            wake();
          }
        }
      } catch {
        // aborted by close()
      }
      wake();
    })();
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    events,
    ended,
    close: () => controller.abort(),
    next(match, ms = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events.slice(-5))}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

function parse(block: string): SseEvent[] {
  const lines = block.split('\n');
  if (lines.every((l) => l.startsWith(':'))) return lines.map((l) => ({ id: null, event: 'comment', data: l.slice(1).trim() }));
  let id: string | null = null;
  let event = 'message';
  const data: string[] = [];
  for (const l of lines) {
    if (l.startsWith('id: ')) id = l.slice(4);
    else if (l.startsWith('event: ')) event = l.slice(7);
    else if (l.startsWith('data: ')) data.push(l.slice(6));
  }
  return data.length > 0 ? [{ id, event, data: data.join('\n') }] : [];
}
