import { PassThrough } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TappedTransport } from '../servers/connection/message-tap.js';
import { StdioGuardTransport } from './stdio-guard-transport.js';

const LIMIT = 64 * 1024;

/** A real SDK server on the guard transport (over in-memory pipes), as `mcps log-service` wires it. */
async function stdioServer() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const replies: Array<Record<string, any>> = [];
  let buffered = '';
  stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      replies.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
    }
  });
  const server = new McpServer({ name: 'guard', version: '1' });
  server.registerTool('echo', { inputSchema: z.object({ message: z.string() }).passthrough() }, async ({ message }) => ({ content: [{ type: 'text', text: message }] }));
  const tapped: unknown[] = [];
  await server.connect(new TappedTransport(new StdioGuardTransport({ stdin, stdout, maxMessageBytes: LIMIT }), (_d, m) => tapped.push(m)));
  const send = (line: string) => stdin.write(`${line}\n`);
  const waitFor = async (pick: (r: Record<string, any>) => boolean) => {
    for (let i = 0; i < 200 && !replies.some(pick); i++) await new Promise((r) => setTimeout(r, 10));
    return replies.find(pick);
  };
  const reply = (id: number | string) => waitFor((r) => r['id'] === id);
  /** Sends a bad line and a ping after it; returns the replies between them (the ping proves the server still serves). */
  const refusalOf = async (line: string) => {
    const from = replies.length;
    const ping = `ping-${from}`;
    send(line);
    send(JSON.stringify({ jsonrpc: '2.0', id: ping, method: 'ping' }));
    expect(await reply(ping)).toHaveProperty('result');
    return replies.slice(from).filter((r) => r['id'] !== ping);
  };
  send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }));
  expect(await reply(1)).toHaveProperty('result');
  send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  return { server, send, reply, refusalOf, tapped };
}

describe('StdioGuardTransport (mcps log-service stdin)', () => {
  it('answers a request nested past the limit with -32600, hides it from the tap, and keeps serving', async () => {
    const sut = await stdioServer();
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    sut.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"deep-marker","x":${deep}}}}`);
    expect(await sut.reply(2)).toMatchObject({ error: { code: -32600, message: expect.stringContaining('nested deeper than 64 levels') } });
    expect(JSON.stringify(sut.tapped.filter((m) => (m as { id?: unknown }).id === 2))).toBe('[]');

    sut.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'still serving' } } }));
    expect(await sut.reply(3)).toMatchObject({ result: { content: [{ type: 'text', text: 'still serving' }] } });
    await sut.server.close();
  });

  it('answers every line that is not one valid message with a JSON-RPC error (id null when unreadable) and keeps serving', async () => {
    const sut = await stdioServer();
    const cases: Array<[string, { id: number | null; code: number; message?: RegExp }]> = [
      ['{"jsonrpc":"2.0","id":1,"method":"ping"', { id: null, code: -32700, message: /^Parse error/ }],
      ['hello there', { id: null, code: -32700 }],
      ['\u0000\u0000', { id: null, code: -32700 }],
      ['null', { id: null, code: -32600 }],
      ['42', { id: null, code: -32600 }],
      ['{}', { id: null, code: -32600, message: /"jsonrpc": "2.0"/ }],
      ['{"jsonrpc":"1.0","id":5,"method":"ping"}', { id: 5, code: -32600 }],
      ['{"jsonrpc":"2.0","id":6,"method":42}', { id: 6, code: -32600, message: /method must be a string/ }],
      ['{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"oops"}', { id: 7, code: -32600, message: /params must be/ }],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', { id: null, code: -32600, message: /id must be/ }],
      ['{"jsonrpc":"2.0","id":[1,2],"method":"ping"}', { id: null, code: -32600 }],
      ['[]', { id: null, code: -32600, message: /batches are not supported/ }],
      ['[{"jsonrpc":"2.0","id":8,"method":"ping"},{"jsonrpc":"2.0","id":9,"method":"ping"}]', { id: null, code: -32600, message: /batches/ }],
      ['[1,"two",null]', { id: null, code: -32600, message: /batches/ }],
    ];
    for (const [line, want] of cases) {
      const answers = await sut.refusalOf(line);
      expect(answers, line).toEqual([{ jsonrpc: '2.0', id: want.id, error: { code: want.code, message: expect.stringMatching(want.message ?? /./) } }]);
    }
    expect(await sut.refusalOf('   ')).toEqual([]);
    expect(sut.tapped.filter((m) => 'error' in (m as object))).toEqual([]);
    await sut.server.close();
  });

  it('answers a line over the limit with "message too large" and serves the next line', async () => {
    const sut = await stdioServer();
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(3 * LIMIT) } } });
    const answers = await sut.refusalOf(huge);
    expect(answers).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32600, message: `Invalid Request: message too large: ${huge.length} bytes, limit ${LIMIT}` } }]);
    sut.send(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { message: 'y'.repeat(LIMIT - 200) } } }));
    expect(await sut.reply(5)).toMatchObject({ result: { content: [{ type: 'text' }] } });
    await sut.server.close();
  });
});
