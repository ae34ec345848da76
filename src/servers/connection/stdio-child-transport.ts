import { asJsonRpc } from '../../lib/jsonrpc-envelope.js';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type { ChildExit, ChildHandle, StopTimeouts } from '../process/child-process.js';
import { settlesWithin } from '../process/child-process.js';
import { createLineSplitter } from '../process/line-splitter.js';
import { safeTap, type MessageTap } from './message-tap.js';

export interface StdioChildTransportOptions {
  /** The child, already spawned by the process seam. The transport owns it from now on. */
  child: ChildHandle;
  /** Longest stdout line accepted; longer lines are dropped and reported as noise. */
  maxLineBytes: number;
  /** A stdout line that is not a JSON-RPC message (logged, never parsed as protocol). */
  onNoise?: (text: string, bytes: number) => void;
  onTap?: MessageTap;
  stopTimeouts?: Partial<StopTimeouts>;
  /** After the child exits, how long to wait for buffered stdout before reporting the close. */
  exitDrainMs?: number;
  /**
   * Checks a parsed stdout line (default: the JSON-RPC envelope, lib/jsonrpc-envelope.ts; the SDK
   * client checks each result against its method's schema, and a forwarded answer is the caller's).
   */
  parse?: (value: unknown) => JSONRPCMessage;
}

const NOISE_PREVIEW_CHARS = 500;

/**
 * An MCP client transport (the SDK's `Transport` interface) over a child process spawned by our
 * seam: newline-delimited JSON-RPC on stdin/stdout, with
 * - stdout lines that are not JSON-RPC skipped and reported through `onNoise`;
 * - a cap on line length, so a 50 MB line is dropped without being held in memory;
 * - `onclose` fired as soon as the child exits (not when stdout closes, which a grandchild holding
 *   the pipe could delay forever), so pending requests fail at once;
 * - `close()` stopping the whole process group in steps.
 */
export class StdioChildTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  private started = false;
  private closed = false;
  private stdoutEnded = false;
  /** Serialized messages waiting for this turn's write, and the promise their senders wait on. */
  private outgoing: string[] = [];
  private batch: { written: Promise<void>; done: () => void } | null = null;

  constructor(private readonly opts: StdioChildTransportOptions) {}

  get pid(): number {
    return this.opts.child.pid;
  }

  /** The child's exit, or null while it runs. */
  exit(): ChildExit | null {
    return this.opts.child.exit();
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('StdioChildTransport already started');
    this.started = true;
    const { child } = this.opts;
    const splitter = createLineSplitter(
      { maxLineBytes: this.opts.maxLineBytes },
      {
        onLine: (line) => this.onLine(line),
        onOverflow: (bytes, head) =>
          this.opts.onNoise?.(`${head.toString('utf8')}… [line of ${bytes} bytes dropped]`, bytes),
      },
    );
    child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
    child.stdout.once('end', () => {
      this.stdoutEnded = true;
      splitter.end();
    });
    child.stdin.on('error', (err) => this.reportError(err));
    void child.exited.then(async () => {
      if (!this.stdoutEnded) {
        await settlesWithin(
          new Promise<void>((r) => child.stdout.once('end', r)),
          this.opts.exitDrainMs ?? 100,
        );
      }
      this.markClosed();
    });
  }

  /**
   * Queues `message` for the child's stdin. Messages sent in one turn of the event loop go out in
   * one write (at `setImmediate`): under load one pipe write per message cost more than the rest of
   * a forwarded call. Resolves once the batch is written (and drained, when the pipe is full).
   */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.opts.child.exit() !== null) return Promise.reject(new Error('the server process is not running'));
    safeTap(this.opts.onTap, 'out', message);
    this.outgoing.push(JSON.stringify(message));
    if (this.batch === null) {
      let done!: () => void;
      const written = new Promise<void>((resolve) => (done = resolve));
      this.batch = { written, done };
      setImmediate(() => this.flush());
    }
    return this.batch.written;
  }

  /** Stops the process group (even when the leader already exited: grandchildren may remain). */
  async close(): Promise<void> {
    this.flush();
    await this.opts.child.stop(this.opts.stopTimeouts);
    this.markClosed();
  }

  /** Writes the queued messages, one line each, in one write. */
  private flush(): void {
    const batch = this.batch;
    if (batch === null) return;
    this.batch = null;
    const lines = this.outgoing;
    this.outgoing = [];
    const { stdin } = this.opts.child;
    if (stdin.destroyed || stdin.writableEnded) return batch.done();
    const ok = stdin.write(lines.length === 1 ? lines[0] + '\n' : lines.join('\n') + '\n');
    if (ok) batch.done();
    else void drainedOrClosed(stdin).then(batch.done);
  }

  private onLine(buf: Buffer): void {
    if (buf.length === 0) return;
    const text = buf.toString('utf8');
    const trimmed = text.trim();
    if (trimmed === '') return;
    let message: JSONRPCMessage;
    try {
      if (trimmed[0] !== '{') throw new Error('not JSON');
      message = (this.opts.parse ?? envelopeOnly)(JSON.parse(trimmed));
    } catch {
      this.opts.onNoise?.(preview(text), buf.length);
      return;
    }
    safeTap(this.opts.onTap, 'in', message);
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.reportError(err);
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }

  private reportError(err: unknown): void {
    this.onerror?.(err instanceof Error ? err : new Error(String(err)));
  }
}

function drainedOrClosed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function envelopeOnly(value: unknown): JSONRPCMessage {
  const message = asJsonRpc(value);
  if (message === null) throw new Error('not a JSON-RPC 2.0 message');
  return message;
}

function preview(text: string): string {
  return text.length > NOISE_PREVIEW_CHARS ? `${text.slice(0, NOISE_PREVIEW_CHARS)}… [${text.length} chars]` : text;
}
