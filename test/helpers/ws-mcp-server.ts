import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';

/**
 * A real MCP server that only speaks WebSocket (the SDK's McpServer over a server-side WebSocket
 * transport written here: one text frame per JSON-RPC message, subprotocol `mcp`). Its tools:
 * echo, big (a result of n bytes), drop (closes the socket mid-call), whoami (the upgrade's
 * Authorization header).
 */
export interface WsMcpServer {
  url: string;
  port: number;
  /** Upgrade requests seen (headers), newest last. */
  upgrades: IncomingHttpHeaders[];
  /** Sockets open now. */
  readonly open: number;
  close(): Promise<void>;
}

class ServerSocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (err: Error) => void;
  onmessage?: Transport['onmessage'];
  constructor(private readonly ws: WebSocket) {}
  async start() {
    this.ws.on('message', (data) => {
      try {
        this.onmessage?.(JSON.parse(data.toString()) as JSONRPCMessage);
      } catch (err) {
        this.onerror?.(err as Error);
      }
    });
    this.ws.on('close', () => this.onclose?.());
    this.ws.on('error', (err) => this.onerror?.(err));
  }
  send(message: JSONRPCMessage) {
    return new Promise<void>((resolve, reject) => this.ws.send(JSON.stringify(message), (err) => (err ? reject(err) : resolve())));
  }
  async close() {
    this.ws.close();
  }
}

export async function startWsMcpServer(opts: { port?: number; requireAuth?: string; subprotocol?: boolean } = {}): Promise<WsMcpServer> {
  const http: Server = createServer((_req, res) => res.writeHead(426).end('WebSocket only'));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (protocols) => (opts.subprotocol === false ? false : protocols.has('mcp') ? 'mcp' : false),
  });
  const upgrades: IncomingHttpHeaders[] = [];
  const sockets = new Set<WebSocket>();
  http.on('upgrade', (req, socket, head) => {
    upgrades.push(req.headers);
    if (opts.requireAuth && req.headers.authorization !== opts.requireAuth) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      const server = new McpServer({ name: 'ws-only', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.registerTool('echo', { description: 'Echoes', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
        content: [{ type: 'text', text: message }],
      }));
      server.registerTool('big', { description: 'A result of n bytes', inputSchema: z.object({ n: z.number().int() }) }, async ({ n }) => ({
        content: [{ type: 'text', text: 'x'.repeat(n) }],
      }));
      server.registerTool('drop', { description: 'Closes the WebSocket mid-call' }, async () => {
        ws.terminate();
        return new Promise(() => {});
      });
      server.registerTool('whoami', { description: 'The Authorization header of the upgrade' }, async () => ({
        content: [{ type: 'text', text: String(req.headers.authorization ?? '') }],
      }));
      void server.connect(new ServerSocketTransport(ws));
    });
  });
  await new Promise<void>((r) => http.listen(opts.port ?? 0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/mcp`,
    port,
    upgrades,
    get open() {
      return sockets.size;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
