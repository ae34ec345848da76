import { afterEach, describe, expect, it } from 'vitest';
import type { ChildHandle } from '../servers/process/child-process.js';
import { runEverything } from '../../test/helpers/fixtures.js';
import { freePort } from '../../test/helpers/free-port.js';
import { redactEndpoint } from './endpoint-url.js';
import type { PipeLog } from './pipe-log.js';
import { createPipeRelay, type PipeRelay } from './pipe-relay.js';
import { openTransportFor } from './pipe-transports.js';
import { createTestEndpoint, type TestEndpoint } from '../../test/helpers/pipe-endpoint.js';

/** Remote servers piped by acting as their MCP client: the real server-everything over Streamable HTTP and SSE. */

const TIMING = { backoffBaseMs: 200, backoffMaxMs: 2000, stableMs: 3000, pingIntervalMs: 1000, pongTimeoutMs: 3000 };
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
}, 30_000);

const quiet: PipeLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };


async function startEverything(mode: 'streamableHttp' | 'sse', port: number): Promise<ChildHandle> {
  const child = await runEverything(mode, port);
  cleanup.push(() => child.stop({ stdinMs: 100, termMs: 1000 }));
  return child;
}

describe.each([
  ['streamable-http', 'streamableHttp', '/mcp'],
  ['sse', 'sse', '/sse'],
] as const)('pipe to a remote %s server', (kind, mode, path) => {
  it('relays initialize, tools/list and tools/call without a proxy process', async () => {
    const port = await freePort();
    await startEverything(mode, port);
    const ep: TestEndpoint = await createTestEndpoint();
    cleanup.push(() => ep.close());
    const relay: PipeRelay = createPipeRelay({
      endpoint: async () => ep.url(),
      display: redactEndpoint(ep.url()),
      open: openTransportFor({ name: 'everything', kind, url: `http://127.0.0.1:${port}${path}`, headers: { 'x-test': '1' }, endpoint: undefined }, { inheritedEnv: {}, log: quiet }),
      log: quiet,
      timing: TIMING,
    });
    cleanup.push(() => relay.stop());
    relay.start();
    const conn = await ep.connection(1);
    const init = await conn.initialize();
    expect(init.result.serverInfo.name).toBe('mcp-servers/everything');
    const list = await conn.request('tools/list');
    expect(list.result.tools.map((t: { name: string }) => t.name)).toContain('echo');
    const echo = await conn.request('tools/call', { name: 'echo', arguments: { message: `via ${kind}` } });
    expect(echo.result.content[0].text).toBe(`Echo: via ${kind}`);
    expect(relay.status()).toMatchObject({ state: 'connected', server: { state: 'running' } });
  }, 60_000);
});

describe('pipe to a remote server that is down', () => {
  it('answers each request with a JSON-RPC error and keeps the WebSocket', async () => {
    const port = await freePort();
    const ep: TestEndpoint = await createTestEndpoint();
    cleanup.push(() => ep.close());
    const relay = createPipeRelay({
      endpoint: async () => ep.url(),
      display: redactEndpoint(ep.url()),
      open: openTransportFor({ name: 'down', kind: 'streamable-http', url: `http://127.0.0.1:${port}/mcp`, headers: {}, endpoint: undefined }, { inheritedEnv: {}, log: quiet }),
      log: quiet,
      timing: TIMING,
    });
    cleanup.push(() => relay.stop());
    relay.start();
    const conn = await ep.connection(1);
    const init = await conn.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    expect(init.error).toMatchObject({ code: -32000, message: expect.stringContaining('could not take the request') });
    await new Promise((r) => setTimeout(r, 300));
    expect(ep.connections).toHaveLength(1);
    expect(relay.status().state).toBe('connected');

    // It comes up: the next attempt works on the same connection.
    await startEverything('streamableHttp', port);
    const ok = await conn.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    expect(ok.result.serverInfo.name).toBe('mcp-servers/everything');
  }, 60_000);
});
