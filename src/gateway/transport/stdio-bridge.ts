import type { Readable, Writable } from 'node:stream';
import { INTERNAL_ERROR, StreamableHTTPClientTransport, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { sharedSignalFetch } from '../../lib/shared-signal-fetch.js';

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
    fetch: sharedSignalFetch(fetch),
  });
  const stdio = new StdioServerTransport(opts.stdin, opts.stdout);
  const out = opts.stdout ?? process.stdout;
  /** Answers go straight to stdout (newline-delimited JSON): the stdio transport closes with stdin,
   * and answers to requests sent just before stdin closed must still be written. */
  const write = (message: JSONRPCMessage) => {
    try {
      out.write(`${JSON.stringify(message)}\n`);
    } catch (err) {
      opts.warn(`mcps connect: could not write to stdout: ${(err as Error).message}`);
    }
  };
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  let closing = false;

  /** Requests sent and not yet answered: stdin closing waits for them (up to 10 s). */
  const inFlight = new Set<string | number>();
  let drained: () => void = () => {};
  const settle = (id: unknown) => {
    if (inFlight.delete(id as string | number) && inFlight.size === 0) drained();
  };

  const shutdown = async () => {
    if (closing) return;
    closing = true;
    if (inFlight.size > 0) {
      // Ref'd: the answers may be all that is left to wait for, and an unref'd wait would let the process
      // exit before the session is terminated.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await http.terminateSession().catch(() => {});
    await http.close().catch(() => {});
    await stdio.close().catch(() => {});
    done();
  };

  // Messages after `initialize` wait for its answer: the HTTP transport learns the session id from
  // it, and a client may pipeline (send `initialized` and its first requests at once).
  let initialized: Promise<void> = Promise.resolve();
  let initId: string | number | undefined;
  let initAnswered: () => void = () => {};

  http.onmessage = (message: JSONRPCMessage) => {
    const result = (message as { result?: { protocolVersion?: unknown } }).result;
    if (typeof result?.protocolVersion === 'string') http.setProtocolVersion(result.protocolVersion);
    write(message);
    if (!('method' in message)) settle((message as { id?: unknown }).id);
    if (initId !== undefined && (message as { id?: unknown }).id === initId) {
      initId = undefined;
      initAnswered();
    }
  };
  http.onerror = (err) => opts.warn(`mcps connect: ${err.message}`);

  const forward = (message: JSONRPCMessage) => {
    return http.send(message).catch((err: unknown) => {
      const reason = describe(err, opts.url);
      opts.warn(`mcps connect: ${reason}`);
      const id = (message as { id?: string | number; method?: string }).id;
      if (id !== undefined && 'method' in message) {
        write({ jsonrpc: '2.0', id, error: { code: INTERNAL_ERROR, message: reason } });
      }
      if (id !== undefined && id === initId) {
        initId = undefined;
        initAnswered();
      }
      settle(id);
    });
  };

  stdio.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) inFlight.add(message.id);
    if ('method' in message && message.method === 'initialize' && 'id' in message) {
      initId = message.id;
      initialized = new Promise<void>((resolve) => (initAnswered = resolve));
      void forward(message);
      return;
    }
    void initialized.then(() => forward(message));
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
