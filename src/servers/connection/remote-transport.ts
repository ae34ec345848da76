import type { LookupFunction } from 'node:net';
import { SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { FetchLike, Transport } from '@modelcontextprotocol/client';
import type { ServerConfig } from '../server-config.js';
import { ServerError } from '../server-errors.js';
import { sharedSignalFetch } from '../../lib/shared-signal-fetch.js';
import type { RelatedRequests } from './related-requests.js';
import { WebSocketClientTransport } from './websocket-client-transport.js';

/** How remote transports reach their URL: the outbound guard's fetch (HTTP) and its URL check and pinned lookup (WebSocket). */
export interface RemoteOutbound {
  fetch?: FetchLike | undefined;
  /** Throws when the URL may not be used (the guard's `assertUrl` for ws:/wss:). */
  assertUrl?: ((url: URL) => void) | undefined;
  lookup?: LookupFunction | undefined;
  /** Streamable HTTP: remembers which of our requests each server request rode with. */
  related?: RelatedRequests | undefined;
  /** Longest WebSocket frame accepted from the server. */
  maxPayload?: number | undefined;
}

/**
 * Builds the client transport for a remote server: the SDK's Streamable HTTP and SSE transports,
 * and our WebSocket one (websocket-client-transport.ts; the SDK v2 has none). A websocket server
 * given an http(s) URL is reached at the same URL over ws(s).
 */
export function createRemoteTransport(config: ServerConfig, outbound: RemoteOutbound | FetchLike = {}): Transport {
  const out: RemoteOutbound = typeof outbound === 'function' ? { fetch: outbound } : outbound;
  const url = parseUrl(config);
  const requestInit: RequestInit = { headers: { ...(config.headers ?? {}) } };
  const common = { requestInit, fetch: sharedSignalFetch(out.fetch ?? fetch) };
  switch (config.transport) {
    case 'streamable-http':
      return new StreamableHTTPClientTransport(url, out.related ? { ...common, fetch: out.related.wrap(common.fetch) } : common);
    case 'sse':
      return new SSEClientTransport(url, common);
    case 'websocket':
      return new WebSocketClientTransport(url, {
        headers: { ...(config.headers ?? {}) },
        handshakeTimeoutMs: config.timeout_ms,
        ...(out.assertUrl ? { assertUrl: out.assertUrl } : {}),
        ...(out.lookup ? { lookup: out.lookup } : {}),
        ...(out.maxPayload ? { maxPayload: out.maxPayload } : {}),
      });
    case 'stdio':
      throw new ServerError('SERVER_CONFIG_INVALID', config.name, 'a stdio server has no remote transport');
  }
}

function parseUrl(config: ServerConfig): URL {
  if (!config.url) throw new ServerError('SERVER_CONFIG_INVALID', config.name, `transport "${config.transport}" needs a url`);
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new ServerError('SERVER_CONFIG_INVALID', config.name, `invalid url "${config.url}"`);
  }
  const wanted = config.transport === 'websocket' ? ['ws:', 'wss:', 'http:', 'https:'] : ['http:', 'https:'];
  if (!wanted.includes(url.protocol)) {
    throw new ServerError('SERVER_CONFIG_INVALID', config.name, `transport "${config.transport}" needs a ${wanted.join(' or ')} url`);
  }
  if (config.transport === 'websocket' && url.protocol.startsWith('http')) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
