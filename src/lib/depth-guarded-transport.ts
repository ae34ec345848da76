import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/client';
import { exceedsJsonDepth, JSON_TOO_DEEP } from './json-depth.js';

const INVALID_REQUEST = -32600;

/**
 * Wraps a server-side transport whose input arrives already parsed (the SDK's stdio transport):
 * a message nested past MAX_JSON_DEPTH never reaches the server (nor a tap wrapped around this);
 * a request gets a JSON-RPC -32600 error, anything else is dropped and reported via onerror.
 */
export class DepthGuardedTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  constructor(private readonly inner: Transport) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (err) => this.onerror?.(err);
    inner.onmessage = (message, extra) => {
      if (!exceedsJsonDepth(message)) return this.onmessage?.(message, extra);
      const id = (message as { id?: unknown }).id;
      if ('method' in message && (typeof id === 'string' || typeof id === 'number')) {
        const reply = { jsonrpc: '2.0', id, error: { code: INVALID_REQUEST, message: `Invalid Request: ${JSON_TOO_DEEP}` } } as JSONRPCMessage;
        this.inner.send(reply).catch((err: Error) => this.onerror?.(err));
      } else {
        this.onerror?.(new Error(`a message was dropped: ${JSON_TOO_DEEP}`));
      }
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
