import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { waitFor } from './wait-for.js';

/** Test helpers for the pipe: a local WebSocket server playing the remote MCP endpoint (xiaozhi's role). */

export interface EndpointConnection {
  ws: WebSocket;
  url: string;
  /** Every text frame received, as sent (one entry per frame). */
  frames: string[];
  /** Sends a JSON-RPC request and resolves with its response. */
  request(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<{ id: number; result?: any; error?: { code: number; message: string } }>;
  notify(method: string, params?: Record<string, unknown>): void;
  /** initialize + notifications/initialized, as the endpoint does first. */
  initialize(): Promise<any>;
}

export interface TestEndpoint {
  port: number;
  url(query?: string): string;
  connections: EndpointConnection[];
  /** Waits for the n-th connection (1-based) and returns it. */
  connection(n: number, timeoutMs?: number): Promise<EndpointConnection>;
  close(): Promise<void>;
}

export async function createTestEndpoint(opts: { port?: number; verify?: (req: IncomingMessage) => number | null } = {}): Promise<TestEndpoint> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: opts.port ?? 0,
    ...(opts.verify
      ? {
          verifyClient: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number) => void) => {
            const status = opts.verify!(info.req);
            if (status === null) cb(true);
            else cb(false, status);
          },
        }
      : {}),
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const port = (wss.address() as { port: number }).port;
  const connections: EndpointConnection[] = [];
  wss.on('connection', (ws, req) => {
    let nextId = 1;
    const waiting = new Map<number, (m: any) => void>();
    const conn: EndpointConnection = {
      ws,
      url: req.url ?? '',
      frames: [],
      request(method, params, timeoutMs = 20_000) {
        const id = nextId++;
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no answer to ${method} (id ${id}) within ${timeoutMs} ms`)), timeoutMs);
          waiting.set(id, (m) => {
            clearTimeout(timer);
            resolve(m);
          });
        });
      },
      notify(method, params) {
        ws.send(JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) }));
      },
      async initialize() {
        const r = await conn.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test-endpoint', version: '1.0.0' } });
        conn.notify('notifications/initialized');
        return r;
      },
    };
    ws.on('message', (data) => {
      const text = data.toString();
      conn.frames.push(text);
      let m: any;
      try {
        m = JSON.parse(text);
      } catch {
        return;
      }
      if (typeof m.id === 'number' && !('method' in m)) waiting.get(m.id)?.(m);
    });
    connections.push(conn);
  });
  return {
    port,
    url: (query = 'token=test-token-abcdef123456') => `ws://127.0.0.1:${port}/mcp/?${query}`,
    connections,
    async connection(n, timeoutMs = 20_000) {
      await waitFor(() => connections.length >= n, timeoutMs, `endpoint connection #${n}`);
      return connections[n - 1]!;
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
