// The echo MCP server of bench/gateway.ts, one code for every mode:
//   node echo-server.mjs stdio        - over stdio (what the gateway and supergateway front)
//   node echo-server.mjs http         - hosted directly by the SDK's Streamable HTTP transport
//                                       (stateful sessions, TCP_NODELAY); prints "READY <port>"
//   node echo-server.mjs http-json    - the same with enableJsonResponse: a single request is
//                                       answered as application/json instead of an SSE stream
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

function build() {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes the message back', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
    content: [{ type: 'text', text: message }],
  }));
  return server;
}

if (process.argv[2] === 'http' || process.argv[2] === 'http-json') {
  const enableJsonResponse = process.argv[2] === 'http-json';
  const sessions = new Map();
  const http = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
    const sid = req.headers['mcp-session-id'];
    let transport = typeof sid === 'string' ? sessions.get(sid) : undefined;
    if (!transport) {
      transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), enableJsonResponse, onsessioninitialized: (id) => sessions.set(id, transport) });
      await build().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  });
  http.on('connection', (s) => s.setNoDelay(true));
  http.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${http.address().port}\n`));
} else {
  serveStdio(() => build());
}
