import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliArgs, runCli } from '../../test/helpers/run-cli.js';
import { fixturePath } from '../../test/helpers/fixtures.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createTestEndpoint, type TestEndpoint } from '../../test/helpers/pipe-endpoint.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FAST = { MCPS_PIPE_BACKOFF_BASE_MS: '200', MCPS_PIPE_BACKOFF_MAX_MS: '1000', MCPS_PIPE_PING_INTERVAL_MS: '1000', MCPS_PIPE_PONG_TIMEOUT_MS: '3000' };

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
}, 30_000);

function workdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-pipe-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `mcps pipe ...` running in the background, its stderr collected. */
function startPipe(args: string[], cwd: string, env: Record<string, string>): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, cliArgs(['pipe', ...args]), {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...FAST, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
  });
  return { child, stderr: () => err, exit };
}

async function endpoint(port?: number): Promise<TestEndpoint> {
  const e = await createTestEndpoint(port ? { port } : {});
  cleanup.push(() => e.close());
  return e;
}

describe('mcps pipe', () => {
  it('pipes every enabled server of mcp_config.json to MCP_ENDPOINT from .env, reconnects after the endpoint comes back, stops cleanly on SIGTERM', async () => {
    const ep = await endpoint();
    const dir = workdir();
    writeFileSync(path.join(dir, '.env'), `MCP_ENDPOINT=${ep.url('token=secret-token-0123456789')}\n`);
    writeFileSync(
      path.join(dir, 'mcp_config.json'),
      JSON.stringify({
        mcpServers: {
          calc: { type: 'stdio', command: process.execPath, args: [fixturePath('well-behaved')] },
          tiny: { transportType: 'stdio', command: process.execPath, args: [fixturePath('tiny')], env: { X: '1' } },
          off: { command: process.execPath, args: [fixturePath('tiny')], disabled: true },
        },
      }),
    );
    const run = startPipe([], dir, {});
    const a = await ep.connection(1, 30_000);
    const b = await ep.connection(2, 30_000);
    const names = [(await a.initialize()).result.serverInfo.name, (await b.initialize()).result.serverInfo.name].sort();
    expect(names).toEqual(['tiny', 'well-behaved']);
    const calc = [a, b].find((c) => c.frames.some((f) => f.includes('well-behaved')))!;
    const pid = (await calc.request('tools/call', { name: 'whoami', arguments: {} })).result.structuredContent.pid as number;
    await new Promise((r) => setTimeout(r, 300));
    expect(ep.connections).toHaveLength(2);

    // The endpoint goes away and comes back on the same port: both pipes reconnect.
    const port = ep.port;
    await ep.close();
    await waitFor(() => (run.stderr().match(/reconnecting in/g) ?? []).length >= 4, 20_000, 'failed reconnects in the log').catch((err: Error) => {
      throw new Error(`${err.message}\n${run.stderr()}`);
    });
    const back = await endpoint(port);
    await back.connection(2, 30_000);
    const again = await Promise.all(back.connections.map((c) => c.initialize()));
    expect(again.map((r) => r.result.serverInfo.name).sort()).toEqual(['tiny', 'well-behaved']);

    const log = run.stderr();
    expect(log).toContain('skipping "off": disabled');
    expect(log).toMatch(/\[calc\] connected to ws:\/\/127\.0\.0\.1:\d+\/mcp\/\?token=\*\*\*/);
    expect(log).not.toContain('secret-token-0123456789');

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);

  it('pipes one script given as the argument (run with node for .js/.mjs), with --endpoint; later options are the script\'s', async () => {
    const ep = await endpoint();
    const dir = workdir();
    const run = startPipe(['--endpoint', ep.url(), fixturePath('tiny'), '--some-flag', 'x'], dir, {});
    const conn = await ep.connection(1, 30_000);
    expect((await conn.initialize()).result.serverInfo.name).toBe('tiny');
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  }, 60_000);

  it('runs a .py script with python3, as mcp_pipe.py users do (`mcps pipe server.py`)', async () => {
    const ep = await endpoint();
    const script = path.join(ROOT, 'test/fixtures/mcp/tiny.py');
    const run = startPipe([script], workdir(), { MCP_ENDPOINT: ep.url() });
    const conn = await ep.connection(1, 30_000);
    expect((await conn.initialize()).result.serverInfo.name).toBe('tiny-python');
    expect((await conn.request('tools/call', { name: 'echo', arguments: { message: 'from python' } })).result.content[0].text).toBe('from python');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 60_000);

  it('exits 1 with the reason when the endpoint rejects the token, without a retry loop', async () => {
    let attempts = 0;
    const ep = await createTestEndpoint({ verify: () => (attempts++, 401) });
    cleanup.push(() => ep.close());
    const dir = workdir();
    const run = await runCli(['pipe', fixturePath('tiny')], { cwd: dir, env: { ...FAST, MCP_ENDPOINT: ep.url('token=bad-token-value') } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 401');
    expect(run.stderr).toContain('refused by its endpoint');
    expect(run.stderr).not.toContain('bad-token-value');
    expect(attempts).toBe(1);
  }, 60_000);

  it.each([
    ['no endpoint', [fixturePath('tiny')], {}, /no endpoint for "tiny": set MCP_ENDPOINT/],
    ['an http endpoint', [fixturePath('tiny')], { MCP_ENDPOINT: 'http://127.0.0.1:1/mcp?token=abc' }, /MCP_ENDPOINT: must be a ws:\/\/ or wss:\/\/ URL/],
    ['nothing to pipe', [], { MCP_ENDPOINT: 'ws://127.0.0.1:1/' }, /nothing to pipe: give a script/],
    ['an unknown target', ['nope'], { MCP_ENDPOINT: 'ws://127.0.0.1:1/' }, /"nope" is neither a server in .* nor a script file/],
    ['a missing MCP_CONFIG', [], { MCP_ENDPOINT: 'ws://127.0.0.1:1/', MCP_CONFIG: 'missing.json' }, /config file .*missing\.json not found/],
    ['a bad timing value', [fixturePath('tiny')], { MCP_ENDPOINT: 'ws://127.0.0.1:1/', MCPS_PIPE_BACKOFF_BASE_MS: 'soon' }, /MCPS_PIPE_BACKOFF_BASE_MS: expected a whole number/],
  ])('exits 1 with one clear line for %s', async (_what, args, env, message) => {
    const run = await runCli(['pipe', ...args], { cwd: workdir(), env: env as Record<string, string> });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('at ');
  }, 30_000);

  it('reports entries it cannot pipe and exits 1 for a config without a usable server', async () => {
    const dir = workdir();
    writeFileSync(path.join(dir, 'mcp_config.json'), JSON.stringify({ mcpServers: { ws: { type: 'websocket', url: 'ws://x' }, bad: { type: 'sse', url: 'file:///etc/passwd' } } }));
    const run = await runCli(['pipe'], { cwd: dir, env: { MCP_ENDPOINT: 'ws://127.0.0.1:1/' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('skipping "ws": unsupported type "websocket"');
    expect(run.stderr).toContain('skipping "bad": "url" must be http:// or https://');
    expect(run.stderr).toContain('no enabled server');
  }, 30_000);
});
