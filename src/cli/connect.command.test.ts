import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs, runCli } from '../../test/helpers/run-cli.js';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../../test/helpers/gateway-app.js';

/** `mcps connect` as Claude Desktop runs it: a stdio MCP server process bridging to the gateway. */

let t: GatewayTestApp;
beforeAll(async () => {
  t = await createGatewayTestApp();
  await t.addServer('everything', [WELL_BEHAVED]);
}, 180_000);
afterAll(async () => t.closeAndCheck(), 60_000);

/** The config Claude Desktop would hold: command, args, env. */
const bridge = (args: string[], env: Record<string, string>) =>
  new StdioClientTransport({
    command: process.execPath,
    args: cliArgs(['connect', ...args]),
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stderr: 'pipe',
  });

describe('mcps connect', () => {
  it('lists and calls the tools the key allows, over stdio', async () => {
    const { key } = await t.key('desktop', { allowed_tools: ['everything__echo'] });
    const client = new Client({ name: 'claude-desktop', version: '1' });
    await client.connect(bridge(['--url', `${t.base}/mcp`], { MCPS_API_KEY: key }));
    try {
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['everything__echo']);
      expect((await client.callTool({ name: 'everything__echo', arguments: { message: 'from stdio' } })).content).toEqual([{ type: 'text', text: 'from stdio' }]);
      expect(t.ctx.gateway.sessions().some((s) => s.caller === 'api_key:desktop' && s.client?.name === 'claude-desktop')).toBe(true);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('answers the initialize with a clear error when the key is wrong', async () => {
    const client = new Client({ name: 'claude-desktop', version: '1' });
    await expect(client.connect(bridge(['--url', `${t.base}/mcp`, '--key', 'mcps_not_a_real_key_0000000000000000'], {}))).rejects.toThrow(/refused the API key \(401\)/);
    await client.close().catch(() => {});
  }, 60_000);

  it('answers a client that pipelines its first messages and closes stdin at once', async () => {
    const { key } = await t.key('pipelined', { allowed_tools: ['everything__echo'] });
    const lines = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'everything__echo', arguments: { message: 'piped' } } },
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'everything__add', arguments: { a: 1, b: 2 } } },
    ];
    const run = await runCli(['connect', '--url', `${t.base}/mcp`], { cwd: t.dir, env: { MCPS_API_KEY: key }, input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' });
    expect(run.code, run.stderr).toBe(0);
    const answers = new Map(run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number }).map((m) => [m.id, m as Record<string, unknown>]));
    expect([...answers.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(answers.get(2)).toMatchObject({ result: { tools: [expect.objectContaining({ name: 'everything__echo' })] } });
    expect(answers.get(3)).toMatchObject({ result: { content: [{ type: 'text', text: 'piped' }] } });
    expect(answers.get(4)).toMatchObject({ error: { message: expect.stringMatching(/not allowed/) } });
  }, 60_000);

  it('exits non-zero on a bad --url', async () => {
    const bad = await runCli(['connect', '--url', 'ftp://example.com/mcp'], { cwd: t.dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/only http and https/);
    const notUrl = await runCli(['connect', '--url', 'not a url'], { cwd: t.dir });
    expect(notUrl.code).not.toBe(0);
    expect(notUrl.stderr).toMatch(/is not a URL/);
  }, 60_000);
});
