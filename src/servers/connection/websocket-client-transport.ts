import type { LookupFunction } from 'node:net';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type WebSocket from 'ws';
import { parseJsonRpc } from '../../lib/jsonrpc-envelope.js';

/** The subprotocol MCP over WebSocket asks for (the convention of the SDK v1 WebSocket transports). */
export const MCP_SUBPROTOCOL = 'mcp';

export interface WebSocketClientOptions {
  /** Sent with the upgrade request (secrets already resolved). */
  headers?: Record<string, string>;
  /** Checks the URL before connecting (the outbound guard's `assertUrl`); throws to refuse it. */
  assertUrl?: (url: URL) => void;
  /** Resolves host names (the outbound guard's pinned lookup). */
  lookup?: LookupFunction;
  /** Longest frame accepted from the server (default 16 MiB); a longer one closes the connection. */
  maxPayload?: number;
  /** Deadline of the opening handshake (default 30 s). */
  handshakeTimeoutMs?: number;
}

/**
 * MCP client transport over one WebSocket (the SDK v2 ships none): each JSON-RPC message is one
 * text frame both ways. Asks for the `mcp` subprotocol; a server that answers without one is
 * tried once more without asking (plain WebSocket MCP servers exist). Redirects are not followed.
 * A frame that is not a JSON-RPC message is reported through `onerror` and dropped; a frame over
 * `maxPayload` closes the connection (code 1009), and `closedWhy` says so.
 */
export class WebSocketClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  private ws: WebSocket | null = null;
  private closed = false;
  private why: string | null = null;
  private readonly maxPayload: number;

  constructor(
    private readonly url: URL,
    private readonly opts: WebSocketClientOptions = {},
  ) {
    this.maxPayload = opts.maxPayload ?? 16 * 1024 * 1024;
  }

  /** Why the connection ended (e.g. "the server closed the connection (1011 crashed)"), null while open. */
  get closedWhy(): string | null {
    return this.why;
  }

  async start(): Promise<void> {
    if (this.ws) throw new Error('WebSocketClientTransport already started');
    this.opts.assertUrl?.(this.url);
    try {
      this.ws = await this.open([MCP_SUBPROTOCOL]);
    } catch (err) {
      if (!/Server sent no subprotocol/.test((err as Error).message)) throw err;
      this.ws = await this.open([]);
    }
    this.attach(this.ws);
  }

  private async open(protocols: string[]): Promise<WebSocket> {
    // Loaded on the first connection: a platform without WebSocket upstreams never loads `ws`.
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(this.url, protocols, {
      headers: this.opts.headers ?? {},
      handshakeTimeout: this.opts.handshakeTimeoutMs ?? 30_000,
      maxPayload: this.maxPayload,
      perMessageDeflate: false,
      followRedirects: false,
      ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}),
    });
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(err);
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        fail(new Error(`the server answered the WebSocket upgrade with HTTP ${res.statusCode}${res.statusMessage ? ` ${res.statusMessage}` : ''}`));
      });
      ws.once('error', (err) => fail(connectError(err, this.url)));
    });
  }

  private attach(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => {
      const text = isBinary || !Buffer.isBuffer(data) ? Buffer.concat(toBuffers(data)).toString('utf8') : data.toString('utf8');
      const parsed = parseJsonRpc(text);
      if (!parsed.ok) {
        this.onerror?.(new Error(`ignored a WebSocket frame that is not a JSON-RPC message: ${parsed.message}`));
        return;
      }
      this.onmessage?.(parsed.message);
    });
    ws.on('error', (err) => {
      const e = err as Error & { code?: string };
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.why = `the server sent a frame larger than ${this.maxPayload} bytes`;
      else this.why ??= `WebSocket error: ${e.message}`;
      this.onerror?.(new Error(this.why));
    });
    ws.on('close', (code, reason) => {
      const text = reason.toString('utf8');
      this.why ??= this.closed ? 'closed by the platform' : `the server closed the WebSocket (${code}${text ? ` ${text}` : ''})`;
      this.finish();
    });
  }

  private finish(): void {
    if (this.closed && this.ws === null) return;
    this.closed = true;
    this.ws = null;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return Promise.reject(new Error(`not connected${this.why ? ` (${this.why})` : ''}`));
    return new Promise((resolve, reject) => ws.send(JSON.stringify(message), (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    const ws = this.ws;
    this.closed = true;
    if (!ws) return;
    if (ws.readyState === ws.CLOSED) return this.finish();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => ws.terminate(), 2000);
      timer.unref();
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000);
    });
  }
}

function toBuffers(data: WebSocket.RawData): Buffer[] {
  if (Array.isArray(data)) return data;
  return [Buffer.isBuffer(data) ? data : Buffer.from(data)];
}

/** `connect ECONNREFUSED 127.0.0.1:1` -> "cannot connect to ws://127.0.0.1:1/mcp: connect ECONNREFUSED ...". */
function connectError(err: Error, url: URL): Error {
  return new Error(`cannot open a WebSocket to ${url.origin}${url.pathname}: ${err.message}`, { cause: err });
}
