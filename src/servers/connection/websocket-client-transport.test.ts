import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../server-config.js';
import { createOutboundGuard } from '../../lib/outbound-guard.js';
import { createOutboundPolicy } from '../../lib/outbound-policy.js';
import { ServerError } from '../server-errors.js';
import { createSupervisor, type Supervisor } from '../supervision/supervisor.js';
import { freePort } from '../../../test/helpers/free-port.js';
import { waitFor } from '../../../test/helpers/wait-for.js';
import { startWsMcpServer, type WsMcpServer } from '../../../test/helpers/ws-mcp-server.js';

/** WebSocket upstreams under the supervisor: a real SDK McpServer that only speaks WebSocket. */

const servers: WsMcpServer[] = [];
const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stopAll()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
}, 30_000);

const start = async (o: Parameters<typeof startWsMcpServer>[0] = {}) => {
  const s = await startWsMcpServer(o);
  servers.push(s);
  return s;
};
const supervise = (over: Parameters<typeof createSupervisor>[0] = {}) => {
  const s = createSupervisor({ health: null, backoff: { baseMs: 50, capMs: 200, jitter: 0 }, ...over });
  supervisors.push(s);
  return s;
};
const wsConfig = (url: string, over: Partial<ServerConfig> = {}): ServerConfig => ({
  name: 'ws',
  transport: 'websocket',
  url,
  headers: { authorization: 'Bearer ws-token-1' },
  restart_policy: 'always',
  max_retries: 50,
  timeout_ms: 5000,
  ...over,
});

describe('websocket MCP servers', () => {
  it('starts with the mcp subprotocol and the headers, lists tools and calls them', async () => {
    const remote = await start({ requireAuth: 'Bearer ws-token-1' });
    const sut = supervise();
    sut.register(wsConfig(remote.url));
    const status = await sut.start('ws');
    expect(status).toMatchObject({ state: 'running', pid: null, serverInfo: { name: 'ws-only' } });
    expect(remote.upgrades.at(-1)?.['sec-websocket-protocol']).toBe('mcp');
    const conn = await sut.connection('ws');
    expect((await conn.listTools()).map((t) => t.name)).toEqual(['echo', 'big', 'drop', 'whoami']);
    expect(await conn.callTool('echo', { message: 'over ws' })).toMatchObject({ content: [{ type: 'text', text: 'over ws' }] });
    expect(await conn.callTool('whoami')).toMatchObject({ content: [{ text: 'Bearer ws-token-1' }] });
  });

  it('reaches a server that does not answer the subprotocol, and an http:// URL as ws://', async () => {
    const remote = await start({ subprotocol: false });
    const sut = supervise();
    sut.register(wsConfig(remote.url.replace('ws://', 'http://')));
    expect((await sut.start('ws')).state).toBe('running');
    expect(await (await sut.connection('ws')).callTool('echo', { message: 'plain' })).toMatchObject({ content: [{ text: 'plain' }] });
  });

  it('a refused upgrade (401) and an unreachable URL fail the start with a clear error', async () => {
    const remote = await start({ requireAuth: 'Bearer right' });
    const sut = supervise();
    sut.register(wsConfig(remote.url, { restart_policy: 'never' }));
    const refused = await sut.start('ws');
    expect(refused.state).not.toBe('running');
    expect(refused.lastError).toMatch(/failed to start: the server answered the WebSocket upgrade with HTTP 401/);

    const port = await freePort();
    sut.register(wsConfig(`ws://127.0.0.1:${port}/mcp`, { name: 'gone', restart_policy: 'never' }));
    const gone = await sut.start('gone');
    expect(gone.state).not.toBe('running');
    expect(gone.lastError).toMatch(new RegExp(`cannot open a WebSocket to ws://127.0.0.1:${port}/mcp: connect ECONNREFUSED`));
  });

  it('the outbound guard refuses the URL before any connection', async () => {
    const remote = await start();
    const sut = supervise({
      websocket: {
        assertUrl: (url) => {
          throw new Error(`outbound connection to '${url.hostname}' refused: loopback`);
        },
      },
    });
    sut.register(wsConfig(remote.url, { restart_policy: 'never' }));
    const status = await sut.start('ws');
    expect(status.lastError).toMatch(/failed to start: outbound connection to '127.0.0.1' refused/);
    expect(remote.upgrades).toHaveLength(0);
  });

  it("the real outbound guard: a name that resolves to a refused address is refused by the pinned lookup; allowed, it connects", async () => {
    const remote = await start();
    const url = remote.url.replace('127.0.0.1', 'localhost');
    const refusing = createOutboundGuard(createOutboundPolicy([]));
    const allowing = createOutboundGuard(createOutboundPolicy(['127.0.0.1', '::1', 'localhost']));
    try {
      const asGuard = (g: typeof refusing) => ({ assertUrl: (u: URL) => void g.assertUrl(u, ['ws:', 'wss:']), lookup: g.lookup });
      const refused = supervise({ websocket: asGuard(refusing) });
      refused.register(wsConfig(url, { restart_policy: 'never' }));
      expect((await refused.start('ws')).lastError).toMatch(/outbound connection to 'localhost' refused: .*MCPS_OUTBOUND_ALLOW/);
      expect(remote.upgrades).toHaveLength(0);

      const allowed = supervise({ websocket: asGuard(allowing) });
      allowed.register(wsConfig(url, { restart_policy: 'never' }));
      expect((await allowed.start('ws')).state).toBe('running');
      expect(remote.upgrades).toHaveLength(1);
    } finally {
      await refusing.close();
      await allowing.close();
    }
  });

  it('a server closing mid-call fails that call clearly, then the supervisor reconnects', async () => {
    const remote = await start();
    const sut = supervise();
    sut.register(wsConfig(remote.url));
    await sut.start('ws');
    const conn = await sut.connection('ws');
    const err = await conn.callTool('drop').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).code).toBe('SERVER_CONNECTION_CLOSED');
    expect((err as ServerError).message).toMatch(/closed the connection while tools\/call was pending \(the server closed the WebSocket \(1006/);
    await waitFor(() => sut.status('ws').state === 'running' && sut.status('ws').restarts >= 1, 15_000, 'the reconnect');
    expect(await (await sut.connection('ws')).callTool('echo', { message: 'back' })).toMatchObject({ content: [{ text: 'back' }] });
  });

  it('a frame over the limit closes the connection with the reason; smaller results pass and it reconnects', async () => {
    const remote = await start();
    const sut = supervise({ maxLineBytes: 4096 });
    sut.register(wsConfig(remote.url));
    await sut.start('ws');
    const conn = await sut.connection('ws');
    expect(await conn.callTool('big', { n: 1000 })).toMatchObject({ content: [{ text: 'x'.repeat(1000) }] });
    const err = (await conn.callTool('big', { n: 10_000 }).catch((e: unknown) => e)) as ServerError;
    expect(err.code).toBe('SERVER_CONNECTION_CLOSED');
    expect(err.message).toMatch(/the server sent a frame larger than 4096 bytes/);
    await waitFor(() => sut.status('ws').state === 'running' && sut.status('ws').restarts >= 1, 15_000, 'the reconnect');
    expect(await (await sut.connection('ws')).callTool('echo', { message: 'again' })).toMatchObject({ content: [{ text: 'again' }] });
  });
});
