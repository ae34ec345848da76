import { SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { FetchLike, Transport } from '@modelcontextprotocol/client';
import type { ServerConfig } from '../server-config.js';
import { ServerError } from '../server-errors.js';

/**
 * Builds the SDK client transport for a remote server. `websocket` is refused: the SDK v2 client
 * package ships no WebSocket client transport (only Streamable HTTP and the deprecated SSE).
 * `fetch` lets the caller route requests through its outbound guard.
 */
export function createRemoteTransport(config: ServerConfig, fetch?: FetchLike): Transport {
  const url = parseUrl(config);
  const requestInit: RequestInit = { headers: { ...(config.headers ?? {}) } };
  const common = { requestInit, ...(fetch ? { fetch } : {}) };
  switch (config.transport) {
    case 'streamable-http':
      return new StreamableHTTPClientTransport(url, common);
    case 'sse':
      return new SSEClientTransport(url, common);
    case 'websocket':
      throw new ServerError(
        'SERVER_CONFIG_INVALID',
        config.name,
        `transport "websocket" is not supported: the MCP SDK v2 has no WebSocket client transport; use streamable-http or sse`,
      );
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
  const wanted = config.transport === 'websocket' ? ['ws:', 'wss:'] : ['http:', 'https:'];
  if (!wanted.includes(url.protocol)) {
    throw new ServerError('SERVER_CONFIG_INVALID', config.name, `transport "${config.transport}" needs a ${wanted.join(' or ')} url`);
  }
  return url;
}
