import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';

export interface StdioBridgeOptions {
  /** The gateway endpoint, e.g. http://127.0.0.1:8000/mcp (http or https only). */
  url: URL;
  /** An API key (`mcps_...`), sent as `Authorization: Bearer`; never written anywhere else. */
  key: string | undefined;
  stdin?: Readable;
  stdout?: Writable;
  /** One-line diagnostics (stderr): the stdio client reads only stdout. */
  warn: (line: string) => void;
}

/**
 * `mcps connect`: speaks MCP on stdio (for Claude Desktop, Cursor, any stdio-only client) and
 * forwards every message, unchanged, to the gateway over Streamable HTTP. The HTTP transport keeps
 * the session id and protocol version; a request the gateway refuses gets a JSON-RPC error on stdio
 * with the reason. Resolves when stdin closes (the session is then ended with DELETE).
 */
export async function runStdioBridge(opts: StdioBridgeOptions): Promise<void> {
  const http = new StreamableHTTPClientTransport(opts.url, {
    requestInit: opts.key ? { headers: { authorization: `Bearer ${opts.key}` } } : {},
  });
  const stdio = new StdioServerTransport(opts.stdin, opts.stdout);
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  let closing = false;

  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await http.terminateSession().catch(() => {});
    await http.close().catch(() => {});
    await stdio.close().catch(() => {});
    done();
  };

  http.onmessage = (message: JSONRPCMessage) => {
    const result = (message as { result?: { protocolVersion?: unknown } }).result;
    if (typeof result?.protocolVersion === 'string') http.setProtocolVersion(result.protocolVersion);
    void stdio.send(message).catch((err: unknown) => opts.warn(`mcps connect: could not write to stdout: ${(err as Error).message}`));
  };
  http.onerror = (err) => opts.warn(`mcps connect: ${err.message}`);

  stdio.onmessage = (message: JSONRPCMessage) => {
    http.send(message).catch((err: unknown) => {
      const reason = describe(err, opts.url);
      opts.warn(`mcps connect: ${reason}`);
      const id = (message as { id?: string | number; method?: string }).id;
      if (id !== undefined && 'method' in message) {
        void stdio.send({ jsonrpc: '2.0', id, error: { code: -32603, message: reason } }).catch(() => {});
      }
    });
  };
  stdio.onclose = () => void shutdown();
  stdio.onerror = (err) => opts.warn(`mcps connect: stdin: ${err.message}`);
  (opts.stdin ?? process.stdin).once('end', () => void shutdown());

  await http.start();
  await stdio.start();
  await finished;
}

function describe(err: unknown, url: URL): string {
  const e = err as { code?: unknown; status?: unknown; message?: string; cause?: { code?: string } };
  const status = typeof e.status === 'number' ? e.status : typeof e.code === 'number' && e.code >= 400 && e.code < 600 ? e.code : null;
  if (status === 401) return `the gateway at ${url.origin} refused the API key (401): set --key or MCPS_API_KEY to a valid key`;
  if (status === 403) return `the gateway at ${url.origin} refused the request (403): the key's role may be too low (gateway:use needs operator) or the Origin is not allowed`;
  if (e.cause?.code === 'ECONNREFUSED') return `cannot reach the gateway at ${url.origin} (connection refused): is mcps serve running?`;
  return `gateway request failed: ${e.message ?? String(err)}`;
}
