import { Agent, request } from 'node:http';

/**
 * A lean MCP Streamable HTTP load driver for bench/gateway.ts: raw JSON-RPC POSTs over keep-alive
 * sockets with TCP_NODELAY, so the load generator costs little next to the servers it measures.
 * Accepts JSON or SSE answers and checks each carries a result.
 */
export interface McpDriver {
  call(message: string): Promise<void>;
  close(): void;
}

export async function openDriver(url: string, key: string | undefined, sockets: number): Promise<McpDriver> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const target = new URL(url);
  const base: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  };
  const post = (body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...base, ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          res.on('error', reject);
        },
      );
      req.on('socket', (s) => s.setNoDelay(true));
      req.on('error', reject);
      req.end(body);
    });

  const init = await post(
    JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-driver', version: '1' } } }),
    {},
  );
  if (init.status !== 200) throw new Error(`initialize: ${init.status} ${init.text}`);
  const sid = init.headers['mcp-session-id'];
  const session: Record<string, string> = { 'mcp-protocol-version': '2025-06-18', ...(typeof sid === 'string' ? { 'mcp-session-id': sid } : {}) };
  await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), session);
  return {
    async call(message: string) {
      const r = await post(message, session);
      if (r.status !== 200 || !r.text.includes('"result"')) throw new Error(`call failed: ${r.status} ${r.text.slice(0, 200)}`);
    },
    close: () => agent.destroy(),
  };
}

let id = 1;
export function echoCall(name: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name, arguments: { message: 'x' } } });
}
