import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@modelcontextprotocol/client';
import { DelegatingTransport } from './delegating-transport.js';

/** `out`: platform -> server; `in`: server -> platform. */
export type MessageDirection = 'out' | 'in';

/**
 * Sees every JSON-RPC message of a connection, both directions, as it crosses the transport.
 * Contract: must not throw and must return quickly (copy and queue; the protocol recorder
 * writes off the hot path). Exceptions are swallowed so a faulty tap cannot break a call.
 */
export type MessageTap = (direction: MessageDirection, message: JSONRPCMessage) => void;

/**
 * A message seen by a server-side transport (the platform serving a client) in the protocol log's
 * terms: the client's requests arrive ('in' to the transport) and are recorded `out` (towards the
 * server the row names), what the server sends is recorded `in`.
 */
export function asServerSide(direction: MessageDirection): MessageDirection {
  return direction === 'in' ? 'out' : 'in';
}

export function safeTap(tap: MessageTap | undefined, direction: MessageDirection, message: JSONRPCMessage): void {
  if (!tap) return;
  try {
    tap(direction, message);
  } catch {
    // see the contract above
  }
}

/**
 * Wraps a transport (the SDK's HTTP transports) so that `tap` sees every message. Delegates all
 * other members, so session ids and protocol-version headers keep working.
 */
export class TappedTransport extends DelegatingTransport {
  constructor(
    inner: Transport,
    private readonly tap: MessageTap | undefined,
  ) {
    super(inner);
  }

  protected override received(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    safeTap(this.tap, 'in', message);
    this.onmessage?.(message, extra);
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    safeTap(this.tap, 'out', message);
    return this.inner.send(message, options);
  }
}
