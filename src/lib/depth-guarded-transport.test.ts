import { PassThrough } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TappedTransport } from '../servers/message-tap.js';
import { DepthGuardedTransport } from './depth-guarded-transport.js';

/** A real SDK server on the real stdio transport (over in-memory pipes), as `mcps log-service` wires it. */
async function stdioServer() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const replies: Array<Record<string, unknown>> = [];
  let buffered = '';
  stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      replies.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
    }
  });
  const server = new McpServer({ name: 'depth', version: '1' });
  server.registerTool('echo', { inputSchema: z.object({ message: z.string() }).passthrough() }, async ({ message }) => ({ content: [{ type: 'text', text: message }] }));
  const tapped: unknown[] = [];
  await server.connect(new TappedTransport(new DepthGuardedTransport(new StdioServerTransport(stdin, stdout)), (_d, m) => tapped.push(m)));
  const send = (line: string) => stdin.write(`${line}\n`);
  const reply = async (id: number) => {
    for (let i = 0; i < 200 && !replies.some((r) => r['id'] === id); i++) await new Promise((r) => setTimeout(r, 10));
    return replies.find((r) => r['id'] === id);
  };
  return { server, send, reply, tapped };
}

describe('DepthGuardedTransport (mcps log-service stdin)', () => {
  it('answers a request nested past the limit with -32600, hides it from the tap, and keeps serving', async () => {
    const sut = await stdioServer();
    sut.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }));
    expect(await sut.reply(1)).toHaveProperty('result');
    sut.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));

    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    sut.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"deep-marker","x":${deep}}}}`);
    expect(await sut.reply(2)).toMatchObject({ error: { code: -32600, message: expect.stringContaining('nested deeper than 64 levels') } });
    expect(JSON.stringify(sut.tapped.filter((m) => (m as { id?: unknown }).id === 2))).toBe('[]');

    sut.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'still serving' } } }));
    expect(await sut.reply(3)).toMatchObject({ result: { content: [{ type: 'text', text: 'still serving' }] } });
    await sut.server.close();
  });
});
