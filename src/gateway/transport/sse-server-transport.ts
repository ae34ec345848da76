import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { KEEP_ALIVE_COMMENT, KEEP_ALIVE_MS, SSE_HEADERS, sseEvent } from './sse-framing.js';

/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05) for older clients: a long-lived
 * `GET /sse` event stream carries every server message; the client POSTs its messages to the
 * endpoint announced in the first `endpoint` event. (SDK v2 ships no server side for it.)
 */
export class SseServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];
  private closed = false;
  private keepAlive: NodeJS.Timeout | null = null;

  constructor(
    readonly sessionId: string,
    private readonly res: ServerResponse,
    private readonly messagesPath: string,
  ) {}

  async start(): Promise<void> {
    this.res.writeHead(200, SSE_HEADERS);
    this.res.socket?.setNoDelay(true);
    this.res.write(`event: endpoint\ndata: ${this.messagesPath}?sessionId=${encodeURIComponent(this.sessionId)}\n\n`);
    this.keepAlive = setInterval(() => this.res.write(KEEP_ALIVE_COMMENT), KEEP_ALIVE_MS);
    this.keepAlive.unref();
    this.res.on('close', () => void this.close());
  }

  /** A message POSTed by the client. */
  receive(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('SSE stream closed');
    this.res.write(sseEvent(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.res.end();
    this.onclose?.();
  }
}
