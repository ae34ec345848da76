import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { createLineSplitter, type LineSplitter } from '../servers/process/line-splitter.js';
import { errorResponse, parseJsonRpc, tooLarge, type EnvelopeRefusal } from './jsonrpc-envelope.js';

export interface StdioGuardOptions {
  /** Longest line (one message) accepted; a longer one is answered -32600 without being held in memory. */
  maxMessageBytes: number;
  stdin?: Readable;
  stdout?: Writable;
}

/**
 * The server side of MCP over stdio (newline-delimited JSON-RPC on stdin/stdout) for
 * `mcps log-service`. Unlike the SDK's transport, which drops a bad line silently and stops reading
 * after one line over its buffer, every line that is not one valid message (not JSON, a batch, a bad
 * envelope, nested too deep, too long) is answered with a JSON-RPC error here and never reaches the
 * server (nor a tap wrapped around this), and the next line is served as usual.
 */
export class StdioGuardTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly lines: LineSplitter;
  private started = false;
  private closed = false;

  constructor(private readonly opts: StdioGuardOptions) {
    this.stdin = opts.stdin ?? process.stdin;
    this.stdout = opts.stdout ?? process.stdout;
    this.lines = createLineSplitter(
      { maxLineBytes: opts.maxMessageBytes },
      { onLine: (line) => this.onLine(line), onOverflow: (bytes) => this.refuse(tooLarge(bytes, opts.maxMessageBytes)) },
    );
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('StdioGuardTransport already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onError);
    this.stdin.on('end', this.onEnd);
    this.stdin.on('close', this.onEnd);
    this.stdout.on('error', this.onStdoutError);
    if (this.stdin.readableEnded || this.stdin.destroyed) setImmediate(this.onEnd);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('stdio transport is closed'));
    // Settles once the line is flushed, so a slow reader holds the sender back.
    return new Promise((resolve, reject) => {
      this.stdout.write(`${JSON.stringify(message)}\n`, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onError);
    this.stdin.off('end', this.onEnd);
    this.stdin.off('close', this.onEnd);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.onclose?.();
  }

  private readonly onData = (chunk: Buffer | string) => this.lines.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  private readonly onError = (err: Error) => this.onerror?.(err);
  private readonly onEnd = () => void this.close();
  private readonly onStdoutError = (err: Error) => {
    if (this.closed) return;
    this.onerror?.(err);
    void this.close();
  };

  private onLine(line: Buffer): void {
    const text = line.toString('utf8');
    if (text.trim() === '') return;
    const parsed = parseJsonRpc(text);
    if (!parsed.ok) return this.refuse(parsed);
    try {
      this.onmessage?.(parsed.message);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private refuse(refusal: EnvelopeRefusal): void {
    if (this.closed) return;
    this.send(errorResponse(refusal.id, refusal.code, refusal.message)).catch((err: Error) => this.onerror?.(err));
  }
}
