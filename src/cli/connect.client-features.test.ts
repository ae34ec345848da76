import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cliArgs } from '../../test/helpers/run-cli.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * `mcps connect` forwards the client features of its stdio client: the client's initialize (with
 * its sampling, elicitation and roots capabilities) reaches the server unchanged, the server's
 * requests (sampling/createMessage and elicitation/create during a tool call, roots/list on the
 * standalone stream) reach the stdio client, its answers (results and errors) go back, and its
 * notifications/roots/list_changed reaches the server. The server here is an SDK McpServer over
 * Streamable HTTP (connect takes any URL); forwarding through the gateway's /mcp/{server} is the
 * gateway's part (src/gateway/sessions/).
 */

let http: Server;
let url: string;
const seen = { capabilities: [] as unknown[], rootsChanged: 0, getStreams: 0 };

function build(): McpServer {
  const server = new McpServer({ name: 'needs-client-features', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.server.oninitialized = () => seen.capabilities.push(server.server.getClientCapabilities());
  server.server.setNotificationHandler('notifications/roots/list_changed', () => void seen.rootsChanged++);
  server.registerTool('ask', { description: 'Asks the client LLM', inputSchema: z.object({ question: z.string() }) }, async ({ question }, ctx) => {
    try {
      const answer = await ctx.mcpReq.requestSampling({ messages: [{ role: 'user', content: { type: 'text', text: question } }], maxTokens: 20 }, { relatedRequestId: ctx.mcpReq.id });
      return { content: [{ type: 'text', text: `model ${answer.model} said ${JSON.stringify(answer.content)}` }] };
    } catch (err) {
      return { content: [{ type: 'text', text: `sampling failed: ${(err as Error).message}` }], isError: true };
    }
  });
  server.registerTool('confirm', { description: 'Asks the user' }, async (ctx) => {
    const r = await ctx.mcpReq.elicitInput({
      mode: 'form',
      message: 'Proceed?',
      requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
    }, { relatedRequestId: ctx.mcpReq.id });
    return { content: [{ type: 'text', text: JSON.stringify(r) }] };
  });
  // On the call's own stream, or (standalone) on the session's GET stream.
  server.registerTool('roots', { description: 'Lists the client roots', inputSchema: z.object({ standalone: z.boolean() }) }, async ({ standalone }, ctx) => {
    const r = await server.server.listRoots(undefined, standalone ? {} : { relatedRequestId: ctx.mcpReq.id });
    return { content: [{ type: 'text', text: r.roots.map((x) => x.uri).join(',') }] };
  });
  return server;
}

beforeAll(async () => {
  const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
  http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
    if (req.method === 'GET') seen.getStreams++;
    const sid = req.headers['mcp-session-id'];
    let transport = typeof sid === 'string' ? sessions.get(sid) : undefined;
    if (!transport) {
      const created: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, created),
      });
      transport = created;
      await build().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise<void>((r) => http.close(() => r()));
});

async function desktopClient(): Promise<Client> {
  const client = new Client(
    { name: 'feature-client', version: '1' },
    { capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } },
  );
  client.setRequestHandler('sampling/createMessage', async (req) => {
    const text = (req.params.messages[0]?.content as { text?: string }).text ?? '';
    if (text === 'refuse') throw new Error('the user declined to sample');
    return { model: 'test-model', role: 'assistant', content: { type: 'text', text: `answer to ${text}` } };
  });
  client.setRequestHandler('elicitation/create', async (req) => {
    expect(req.params).toMatchObject({ message: 'Proceed?' });
    return { action: 'accept', content: { ok: true } };
  });
  let roots = [{ uri: 'file:///work/project', name: 'project' }];
  client.setRequestHandler('roots/list', async () => ({ roots }));
  (client as Client & { setRoots: (r: typeof roots) => void }).setRoots = (r) => (roots = r);
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: cliArgs(['connect', '--url', url]), env: { PATH: process.env['PATH'] ?? '' }, stderr: 'pipe' }),
  );
  return client;
}

describe('mcps connect: client features', () => {
  it('forwards sampling, elicitation and roots both ways, and roots/list_changed', async () => {
    const client = await desktopClient();
    try {
      await waitFor(() => seen.capabilities.length > 0, 10_000, 'the initialized notification');
      expect(seen.capabilities.at(-1)).toMatchObject({ sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } });

      const asked = await client.callTool({ name: 'ask', arguments: { question: '2+2?' } });
      expect(asked).toMatchObject({ content: [{ text: 'model test-model said {"type":"text","text":"answer to 2+2?"}' }] });
      expect(asked.isError).toBeFalsy();

      expect(await client.callTool({ name: 'confirm' })).toMatchObject({ content: [{ text: '{"action":"accept","content":{"ok":true}}' }] });
      expect(await client.callTool({ name: 'roots', arguments: { standalone: false } })).toMatchObject({ content: [{ text: 'file:///work/project' }] });
      // A request unrelated to any call travels on the standalone GET stream the bridge opened.
      await waitFor(() => seen.getStreams > 0, 10_000, 'the standalone stream');
      expect(await client.callTool({ name: 'roots', arguments: { standalone: true } })).toMatchObject({ content: [{ text: 'file:///work/project' }] });

      (client as Client & { setRoots: (r: { uri: string }[]) => void }).setRoots([{ uri: 'file:///a' }, { uri: 'file:///b' }]);
      const before = seen.rootsChanged;
      await client.sendRootsListChanged();
      await waitFor(() => seen.rootsChanged > before, 10_000, 'roots/list_changed at the server');
      expect(await client.callTool({ name: 'roots', arguments: { standalone: false } })).toMatchObject({ content: [{ text: 'file:///a,file:///b' }] });
    } finally {
      await client.close();
    }
  }, 60_000);

  it("a client's error answer to sampling reaches the server, and the bridge keeps serving", async () => {
    const client = await desktopClient();
    try {
      const refused = await client.callTool({ name: 'ask', arguments: { question: 'refuse' } });
      expect(refused.isError).toBe(true);
      expect(refused).toMatchObject({ content: [{ text: expect.stringMatching(/^sampling failed: .*the user declined to sample/) }] });
      expect(await client.callTool({ name: 'ask', arguments: { question: 'again' } })).toMatchObject({ content: [{ text: expect.stringContaining('answer to again') }] });
    } finally {
      await client.close();
    }
  }, 60_000);
});
