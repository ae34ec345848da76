import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/client';

/**
 * Keeps "everything a server sends for a request arrives before its result" true inside the SDK's
 * client. The SDK dispatches a notification one microtask late (`Promise.resolve().then(handler)`)
 * but a response at once, and a response drops its request's progress handler: a last progress
 * notification read in the same chunk as the result (stdio: one `data` event, both lines) was lost
 * ("unknown token"). Responses are handed on one microtask later here, after the notifications read
 * before them. Everything else passes straight through; members are delegated, so session ids and
 * protocol-version headers keep working.
 */
export class OrderedTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  constructor(private readonly inner: Transport) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (err) => this.onerror?.(err);
    inner.onmessage = (message, extra) => {
      if ('id' in message && !('method' in message)) {
        queueMicrotask(() => this.onmessage?.(message, extra));
        return;
      }
      this.onmessage?.(message, extra);
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get hasPerRequestStream(): boolean | undefined {
    return this.inner.hasPerRequestStream;
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

  setProtocolVersion = (version: string): void => {
    this.inner.setProtocolVersion?.(version);
  };

  setSupportedProtocolVersions = (versions: string[]): void => {
    this.inner.setSupportedProtocolVersions?.(versions);
  };
}
