import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/server';
import { DelegatingTransport } from '../../servers/connection/delegating-transport.js';

/** Takes a message off the way to the SDK server (true: handled here, the server never sees it). */
export type MessageInterceptor = (message: JSONRPCMessage, extra?: MessageExtraInfo) => boolean;

/**
 * A client-facing transport with a seam before the SDK server: each incoming message is offered to
 * `take` first (the gateway's fast path); what it declines goes on to the server. Sending and every
 * other member are delegated (DelegatingTransport).
 */
export class InterceptingTransport extends DelegatingTransport {
  constructor(
    inner: Transport,
    private readonly take: MessageInterceptor,
  ) {
    super(inner);
  }

  protected override received(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (!this.take(message, extra)) this.onmessage?.(message, extra);
  }
}
