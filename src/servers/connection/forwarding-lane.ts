import { SdkError, SdkErrorCode, type JSONRPCMessage, type JSONRPCNotification, type JSONRPCRequest, type MessageExtraInfo, type RequestId } from '@modelcontextprotocol/client';
import { sendAs, type CallContext } from '../../protocol-log/call-context.js';
import { DelegatingTransport } from './delegating-transport.js';

/** Where a forwarded request's traffic goes, with the caller's own request id and progress token restored. */
export interface ForwardSink {
  /** A progress notification the server sent for the request (before its response). */
  related(message: JSONRPCNotification): void;
  /** The server's response: its result or its own JSON-RPC error, as sent. */
  done(response: JSONRPCMessage): void;
  /** No response will come: timed out (the server was told), or the connection closed. */
  failed(err: SdkError): void;
}

/** A request in flight on the lane; `cancel` tells the server (`notifications/cancelled`) and forgets it. */
export interface ForwardHandle {
  cancel(reason: string): void;
}

interface Pending {
  sink: ForwardSink;
  owner: unknown;
  clientId: string | number;
  clientToken: string | number | undefined;
  timer: NodeJS.Timeout;
  timeoutMs: number;
  /** Whom the request is sent for: its messages to the server are recorded with it. */
  context: CallContext | undefined;
}

/** Ids of forwarded requests: strings, never numbers (the SDK client's own ids), unique per process. */
let sequence = 0;
const LANE_PREFIX = 'mcps-fwd-';

/**
 * Raw forwarding beside the SDK client on one upstream connection (the gateway's fast path): a
 * request is sent as is under an id of its own (and its progress token replaced by that id); the
 * server's progress for it and its response are taken off the wire here, in wire order, before the
 * SDK client sees anything, and handed to the sink with the caller's id and token. Everything else
 * passes through to the SDK client unchanged. Sits below `OrderedTransport`, above the message tap,
 * so every forwarded message is recorded like any other.
 */
export class ForwardingLane extends DelegatingTransport {
  private readonly pending = new Map<string, Pending>();

  protected override received(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (!this.take(message)) this.onmessage?.(message, extra);
  }

  protected override closed(): void {
    this.failAll(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed'));
    this.onclose?.();
  }

  /** What `forward` was given as the request's owner, while it is in flight (undefined otherwise). */
  ownerOf(id: RequestId): unknown {
    return typeof id === 'string' ? this.pending.get(id)?.owner : undefined;
  }

  /** Requests forwarded and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends `request` to the server under a lane id; the server's answer reaches `sink`. Without a
   * response or progress for `timeoutMs`, the server gets `notifications/cancelled` and the sink a
   * RequestTimeout. Rejects (and forgets the request) when the transport cannot send. `context`: whom
   * it is sent for (the protocol log's caller of the request and of its cancellation).
   */
  async forward(request: JSONRPCRequest, sink: ForwardSink, timeoutMs: number, owner?: unknown, context?: CallContext): Promise<ForwardHandle> {
    const id = `${LANE_PREFIX}${++sequence}`;
    const params = request.params as (Record<string, unknown> & { _meta?: Record<string, unknown> }) | undefined;
    const clientToken = params?._meta?.['progressToken'] as string | number | undefined;
    const sent: JSONRPCRequest = { ...request, id, ...(clientToken === undefined ? {} : { params: { ...params, _meta: { ...params!._meta, progressToken: id } } }) };
    const entry: Pending = { sink, owner, clientId: request.id, clientToken, timeoutMs, timer: this.timer(id, timeoutMs), context };
    this.pending.set(id, entry);
    const cancel = (reason: string) => {
      if (!this.forget(id)) return;
      this.cancelAtServer(id, reason, context);
    };
    sendAs(sent, context);
    try {
      await this.inner.send(sent);
    } catch (err) {
      this.forget(id);
      throw err;
    }
    return { cancel };
  }

  /** Whether `message` belongs to a forwarded request (and was handed to its sink). */
  private take(message: JSONRPCMessage): boolean {
    if ('id' in message && !('method' in message)) {
      const id = message.id;
      if (typeof id !== 'string' || !id.startsWith(LANE_PREFIX)) return false;
      const entry = this.pending.get(id);
      // An answer to a request already given up (timed out, cancelled): nobody waits for it.
      if (!entry) return true;
      this.forget(id);
      entry.sink.done({ ...message, id: entry.clientId });
      return true;
    }
    if ('method' in message && message.method === 'notifications/progress' && !('id' in message)) {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      if (typeof token !== 'string' || !token.startsWith(LANE_PREFIX)) return false;
      const entry = this.pending.get(token);
      if (!entry) return true;
      clearTimeout(entry.timer);
      entry.timer = this.timer(token, entry.timeoutMs);
      entry.sink.related({ ...message, params: { ...message.params, progressToken: entry.clientToken! } } as JSONRPCNotification);
      return true;
    }
    return false;
  }

  /** Tells the server a forwarded request is given up (`notifications/cancelled`), for its caller. */
  private cancelAtServer(id: string, reason: string, context: CallContext | undefined): void {
    const notification: JSONRPCNotification = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } };
    sendAs(notification, context);
    void this.inner.send(notification).catch(() => {});
  }

  private timer(id: string, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      const entry = this.pending.get(id);
      if (!entry) return;
      this.forget(id);
      this.cancelAtServer(id, `timed out after ${ms} ms`, entry.context);
      entry.sink.failed(new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { timeout: ms }));
    }, ms);
    t.unref();
    return t;
  }

  private forget(id: string): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    return true;
  }

  private failAll(err: SdkError): void {
    const all = [...this.pending.values()];
    for (const e of all) clearTimeout(e.timer);
    this.pending.clear();
    for (const e of all) e.sink.failed(err);
  }
}
