import { afterEach, describe, expect, it } from 'vitest';
import type { ChildHandle } from '../process/child-process.js';
import type { ServerConfig } from '../server-config.js';
import type { TransitionEvent } from './server-status.js';
import { createSupervisor, type Supervisor } from './supervisor.js';
import { runEverything } from '../../../test/helpers/fixtures.js';
import { freePort } from '../../../test/helpers/free-port.js';
import { waitFor } from '../../../test/helpers/wait-for.js';

/** Remote servers: the real @modelcontextprotocol/server-everything over Streamable HTTP and SSE. */

const remotes: ChildHandle[] = [];
const supervisors: Supervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stopAll()));
  await Promise.all(remotes.splice(0).map((c) => c.stop({ stdinMs: 100, termMs: 1000 })));
}, 30_000);


async function startEverything(mode: 'streamableHttp' | 'sse', port: number): Promise<ChildHandle> {
  const child = await runEverything(mode, port);
  remotes.push(child);
  return child;
}

function remoteConfig(name: string, transport: ServerConfig['transport'], url: string): ServerConfig {
  return { name, transport, url, headers: { 'x-test': '1' }, restart_policy: 'always', max_retries: 50, timeout_ms: 5000 };
}

describe('supervisor with remote servers', () => {
  it('streamable-http: starts, lists tools, calls echo, and reconnects with backoff after the remote dies', async () => {
    const port = await freePort();
    const remote = await startEverything('streamableHttp', port);
    const sut = createSupervisor({
      health: { intervalMs: 200, timeoutMs: 1000, failures: 1 },
      backoff: { baseMs: 100, capMs: 400, jitter: 0 },
    });
    supervisors.push(sut);
    const transitions: TransitionEvent[] = [];
    sut.events.on('transition', (t) => transitions.push(t));
    sut.register(remoteConfig('remote', 'streamable-http', `http://127.0.0.1:${port}/mcp`));

    const status = await sut.start('remote');
    expect(status).toMatchObject({ state: 'running', pid: null, serverInfo: { name: 'mcp-servers/everything' } });
    const conn = await sut.connection('remote');
    expect((await conn.listTools()).map((t) => t.name)).toContain('echo');
    expect(await conn.callTool('echo', { message: 'remote' })).toMatchObject({ content: [{ text: 'Echo: remote' }] });

    const afterKill = transitions.length;
    await remote.stop({ stdinMs: 0, termMs: 500 });
    const since = () => transitions.slice(afterKill);
    await waitFor(() => since().some((t) => t.from === 'running' && t.to === 'backoff'), 15_000, 'the loss to be noticed');
    await waitFor(() => since().filter((t) => t.from === 'starting' && t.to === 'backoff').length >= 1, 15_000, 'a failed reconnect');
    expect(sut.status('remote').state).not.toBe('running');

    await startEverything('streamableHttp', port);
    await waitFor(() => sut.status('remote').state === 'running', 15_000, 'the reconnect');
    const again = await sut.connection('remote');
    expect(await again.callTool('echo', { message: 'again' })).toMatchObject({ content: [{ text: 'Echo: again' }] });
    expect(sut.status('remote').restarts).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('sse: starts, lists tools and calls echo', async () => {
    const port = await freePort();
    await startEverything('sse', port);
    const sut = createSupervisor({ health: null });
    supervisors.push(sut);
    sut.register(remoteConfig('legacy-sse', 'sse', `http://127.0.0.1:${port}/sse`));

    expect((await sut.start('legacy-sse')).state).toBe('running');
    const conn = await sut.connection('legacy-sse');
    expect((await conn.listTools()).map((t) => t.name)).toContain('echo');
    expect(await conn.callTool('echo', { message: 'sse' })).toMatchObject({ content: [{ text: 'Echo: sse' }] });
    expect((await sut.stop('legacy-sse')).state).toBe('stopped');
  }, 30_000);
});
