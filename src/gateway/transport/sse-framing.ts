import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/** Server-sent events as both gateway transports write them (Streamable HTTP and the legacy /sse). */
export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' };
/** A comment line this often keeps proxies from closing an idle stream. */
export const KEEP_ALIVE_MS = 15_000;
export const KEEP_ALIVE_COMMENT = ': keepalive\n\n';
export const sseEvent = (m: JSONRPCMessage) => `event: message\ndata: ${JSON.stringify(m)}\n\n`;
