import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@modelcontextprotocol/client';

/**
 * A transport in front of another one that hands everything on unchanged: the base of the
 * wrappers that look at or reorder messages (message tap, ordering, the gateway's fast-path seam,
 * the forwarding lane). Subclasses override `send` (what goes out) and `received` (what comes
 * in); session ids and protocol-version headers keep working because every other member is
 * delegated.
 */
export class DelegatingTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  constructor(protected readonly inner: Transport) {
    inner.onclose = () => this.closed();
    inner.onerror = (err) => this.onerror?.(err);
    inner.onmessage = (message, extra) => this.received(message, extra);
  }

  /** A message from the inner transport; handed on as is unless a subclass says otherwise. */
  protected received(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.onmessage?.(message, extra);
  }

  /** The inner transport closed. */
  protected closed(): void {
    this.onclose?.();
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

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions?.(versions);
  }
}
