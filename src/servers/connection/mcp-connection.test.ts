import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, isGroupAlive, spawnChild, type ChildHandle } from '../process/child-process.js';
import { createMcpConnection, type McpConnection } from './mcp-connection.js';
import type { MessageDirection } from './message-tap.js';
import { isServerError } from '../server-errors.js';
import { describeExit } from '../supervision/server-instance.js';
import { StdioChildTransport } from './stdio-child-transport.js';
import { EVERYTHING_ENTRY, fixturePath, type FixtureName } from '../../../test/helpers/fixtures.js';
import { waitFor } from '../../../test/helpers/wait-for.js';

interface Opened {
  sut: McpConnection;
  child: ChildHandle;
  messages: { direction: MessageDirection; message: JSONRPCMessage }[];
  noise: { text: string; bytes: number }[];
  lost: () => boolean;
}

const open: Opened[] = [];

async function connect(args: string[], opts: { env?: Record<string, string>; mode?: 'auto' | 'legacy'; timeoutMs?: number } = {}): Promise<Opened> {
  const child = await spawnChild({ command: process.execPath, args, env: { ...getDefaultEnvironment(), ...opts.env } });
  const messages: Opened['messages'] = [];
  const noise: Opened['noise'] = [];
  let lost = false;
  const transport = new StdioChildTransport({
    child,
    maxLineBytes: 4 * 1024 * 1024,
    onNoise: (text, bytes) => noise.push({ text, bytes }),
    onTap: (direction, message) => messages.push({ direction, message }),
    stopTimeouts: { stdinMs: 500, termMs: 500 },
  });
  const sut = createMcpConnection({
    server: 'test',
    transport,
    timeoutMs: opts.timeoutMs ?? 20_000,
    clientInfo: { name: 'mcps-test', version: '0.0.0' },
    versionNegotiation: opts.mode ?? 'legacy',
    describeClose: () => describeExit(child.exit()),
    onLost: () => (lost = true),
  });
  const o: Opened = { sut, child, messages, noise, lost: () => lost };
  open.push(o);
  await sut.connect();
  return o;
}

const fixture = (name: FixtureName, opts?: Parameters<typeof connect>[1]) => connect([fixturePath(name)], opts);
const methodsSent = (o: Opened) =>
  o.messages.filter((m) => m.direction === 'out' && 'method' in m.message).map((m) => (m.message as { method: string }).method);

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.sut.close();
    expect(isGroupAlive(o.child.pgid)).toBe(false);
  }
}, 30_000);

describe('createMcpConnection over our stdio transport', { timeout: 30_000 }, () => {
  it('runs the handshake and exposes server info and the negotiated protocol version', async () => {
    const { sut } = await fixture('well-behaved');
    expect(sut.serverInfo()).toMatchObject({ name: 'well-behaved', version: '1.0.0' });
    expect(sut.protocolVersion()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sut.capabilities()?.tools).toBeDefined();
  });

  it('calls tools, reads resources, gets prompts and pings', async () => {
    const { sut } = await fixture('well-behaved');
    expect(await sut.callTool('echo', { message: 'hi' })).toMatchObject({ content: [{ type: 'text', text: 'hi' }] });
    expect((await sut.callTool('add', { a: 2, b: 40 })).structuredContent).toEqual({ sum: 42 });
    expect((await sut.readResource('fixture://hello')).contents[0]).toMatchObject({ text: 'hello from the fixture' });
    expect((await sut.getPrompt('greet', { who: 'Ada' })).messages[0]?.content).toMatchObject({ text: 'Hello, Ada!' });
    await expect(sut.ping(5000)).resolves.toBeUndefined();
  });

  it('reports progress of a slow tool', async () => {
    const { sut } = await fixture('well-behaved');
    const progress: number[] = [];
    const result = await sut.callTool('slow', { ms: 200, steps: 4 }, { onProgress: (p) => progress.push(p.progress) });
    expect(result.content[0]).toMatchObject({ text: 'waited 200 ms' });
    // The last notification may race the result; the ones before it may not.
    expect(progress.slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('answers an unknown tool and bad arguments with a clear error, not a hang', async () => {
    const { sut } = await fixture('well-behaved');
    const outcome = async (p: Promise<unknown>) => p.then((r) => ({ result: r }), (e: unknown) => ({ error: e }));
    for (const o of [await outcome(sut.callTool('nope', {})), await outcome(sut.callTool('add', { a: 'x' }))]) {
      if ('error' in o) {
        expect(isServerError(o.error, 'MCP_ERROR')).toBe(true);
      } else {
        expect(o.result).toMatchObject({ isError: true });
      }
    }
  });

  it('caches lists and refreshes them on list_changed', async () => {
    const o = await fixture('well-behaved');
    const first = await o.sut.listTools();
    await o.sut.listTools();
    expect(methodsSent(o).filter((m) => m === 'tools/list')).toHaveLength(1);
    expect(first.map((t) => t.name)).not.toContain('late');

    await o.sut.callTool('add_tool', { name: 'late' });
    await waitFor(async () => (await o.sut.listTools()).some((t) => t.name === 'late'), 5000, 'the refreshed tool list');
    expect(methodsSent(o).filter((m) => m === 'tools/list')).toHaveLength(2);
    expect(o.messages.some((m) => m.direction === 'in' && 'method' in m.message && m.message.method === 'notifications/tools/list_changed')).toBe(true);
  });

  it('shows every JSON-RPC message in both directions to the tap', async () => {
    const o = await fixture('well-behaved');
    await o.sut.callTool('echo', { message: 'tap' });
    expect(methodsSent(o)).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
    const answers = o.messages.filter((m) => m.direction === 'in' && 'id' in m.message);
    expect(answers.map((m) => (m.message as { id: number }).id)).toEqual([0, 1]);
  });

  it('tolerates garbage and a 50 MB line on stdout, reporting them as noise', async () => {
    const o = await fixture('noisy');
    expect(await o.sut.callTool('noise', {})).toMatchObject({ content: [{ text: 'noisy but fine' }] });
    expect(o.noise.map((n) => n.text)).toEqual(expect.arrayContaining(['hello, this is not JSON', '{"broken": ', '[1,2,3]']));
    expect(o.noise.some((n) => n.bytes === 50 * 1024 * 1024 && /dropped/.test(n.text))).toBe(true);
    expect(o.noise.filter((n) => n.text === 'hello, this is not JSON')).toHaveLength(2);
  }, 60_000);

  it('fails a pending call at once when the child is SIGKILLed, with a clear error', async () => {
    const o = await fixture('well-behaved');
    const pending = o.sut.callTool('slow', { ms: 60_000 });
    await waitFor(() => methodsSent(o).includes('tools/call'), 5000, 'the call to be sent');
    const t0 = Date.now();
    process.kill(o.child.pid, 'SIGKILL');
    const err = await pending.catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isServerError(err, 'SERVER_CONNECTION_CLOSED')).toBe(true);
    expect((err as Error).message).toMatch(/closed the connection while tools\/call was pending \(process was killed by SIGKILL\)/);
    expect(o.lost()).toBe(true);
    await expect(o.sut.callTool('echo', { message: 'x' })).rejects.toMatchObject({ code: 'SERVER_CONNECTION_CLOSED' });
  });

  it('times out a handshake that never completes and leaves no process', async () => {
    const t0 = Date.now();
    const err = await fixture('hanging', { timeoutMs: 800 }).catch((e: unknown) => e);
    expect(isServerError(err, 'SERVER_TIMEOUT')).toBe(true);
    expect((err as Error).message).toMatch(/did not complete the initialize handshake within 800 ms/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const o = open.pop() as Opened;
    expect(isGroupAlive(o.child.pgid)).toBe(false);
  });

  it('reports a child that exits during the handshake', async () => {
    const err = await fixture('exit-immediately').catch((e: unknown) => e);
    expect(isServerError(err, 'SERVER_START_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/process exited with code 3/);
    const o = open.pop() as Opened;
    expect(isAlive(o.child.pid)).toBe(false);
  });

  it('speaks 2026-07-28 with a v2 server when negotiation is auto', async () => {
    const { sut } = await fixture('well-behaved', { mode: 'auto' });
    expect(sut.protocolVersion()).toBe('2026-07-28');
    expect(await sut.callTool('echo', { message: 'modern' })).toMatchObject({ content: [{ text: 'modern' }] });
  });
});

describe('@modelcontextprotocol/server-everything (third-party, npm)', () => {
  it.each(['legacy', 'auto'] as const)('starts, lists its tools and echoes (negotiation %s)', async (mode) => {
    const { sut } = await connect([EVERYTHING_ENTRY, 'stdio'], { mode });
    expect(sut.serverInfo()?.name).toBe('mcp-servers/everything');
    expect(sut.protocolVersion()).toMatch(/^2025-/);
    const tools = await sut.listTools();
    expect(tools.map((t) => t.name)).toContain('echo');
    expect(await sut.callTool('echo', { message: 'hello' })).toMatchObject({ content: [{ type: 'text', text: 'Echo: hello' }] });
  }, 30_000);
});
