import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';

/**
 * Wraps the client-facing transport of a gateway session so that each message between the client
 * and the gateway is seen by `record` ('in': client -> gateway, 'out': gateway -> client). The
 * recorder copies and queues; nothing here waits for it.
 */
export class RecordingTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  constructor(
    readonly inner: Transport,
    private readonly record: (direction: 'in' | 'out', message: JSONRPCMessage) => void,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (err) => this.onerror?.(err);
    inner.onmessage = (message, extra) => {
      this.safe('in', message);
      this.onmessage?.(message, extra);
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get hasPerRequestStream(): boolean | undefined {
    return this.inner.hasPerRequestStream;
  }

  private safe(direction: 'in' | 'out', message: JSONRPCMessage) {
    try {
      this.record(direction, message);
    } catch {
      // recording never breaks a session
    }
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.safe('out', message);
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
