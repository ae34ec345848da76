import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/client';
import { DelegatingTransport } from './delegating-transport.js';

/**
 * Keeps "everything a server sends for a request arrives before its result" true inside the SDK's
 * client. The SDK dispatches a notification one microtask late (`Promise.resolve().then(handler)`)
 * but a response at once, and a response drops its request's progress handler: a last progress
 * notification read in the same chunk as the result (stdio: one `data` event, both lines) was lost
 * ("unknown token"). Responses are handed on one microtask later here, after the notifications read
 * before them. Everything else passes straight through (DelegatingTransport).
 */
export class OrderedTransport extends DelegatingTransport {
  protected override received(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if ('id' in message && !('method' in message)) {
      queueMicrotask(() => this.onmessage?.(message, extra));
      return;
    }
    this.onmessage?.(message, extra);
  }
}
