import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureConfig } from '../../test/helpers/fixtures.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createTestEndpoint, type TestEndpoint } from '../../test/helpers/pipe-endpoint.js';
import { createFakeGateway, createPlatformDir, startTestPlatform, type TestPlatform } from '../../test/helpers/pipe-platform.js';

const TOKEN = 'pub-token-7f3a9c1e5b2d';
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
}, 60_000);

async function setup(withGateway = true, env: Record<string, string> = {}) {
  const place = await createPlatformDir();
  cleanup.push(() => place.dispose());
  const gateway = createFakeGateway();
  const platform = await startTestPlatform(place.database, place.dir, withGateway ? gateway.openSession : undefined, env);
  let current: TestPlatform = platform;
  cleanup.push(() => current.close());
  const ep: TestEndpoint = await createTestEndpoint();
  cleanup.push(() => ep.close());
  const auth = await platform.login();
  const fx = fixtureConfig('calc', 'tiny');
  const created = await platform.app.inject({ method: 'POST', url: '/api/v1/tools', headers: auth, payload: { name: 'calc', transport: 'stdio', command: fx.command, args: fx.args } });
  expect(created.statusCode).toBe(201);
  return {
    place,
    gateway,
    ep,
    auth,
    serverId: created.json<{ id: string }>().id,
    get platform() {
      return current;
    },
    async restart(restartEnv: Record<string, string> = {}) {
      await current.close();
      current = await startTestPlatform(place.database, place.dir, gateway.openSession, restartEnv);
      return current;
    },
  };
}

async function countResolves(ctx: TestPlatform['ctx']): Promise<number> {
  return (await ctx.db.selectFrom('operation_logs').select('id').where('action', '=', 'secret.resolve').execute()).length;
}

function allLogs(dir: string): string {
  const logs = path.join(dir, 'logs');
  return readdirSync(logs)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(path.join(logs, f), 'utf8'))
    .join('\n');
}

describe('publishing a managed server (POST /api/v1/tools/{id}/publish)', () => {
  it('relays the endpoint to a gateway session of the server, shows the state in the status, keeps the token secret', async () => {
    const s = await setup();
    const { app } = s.platform;
    const res = await app.inject({ method: 'POST', url: `/api/v1/tools/${s.serverId}/publish`, headers: s.auth, payload: { endpoint: s.ep.url(`token=${TOKEN}`) } });
    expect(res.statusCode).toBe(201);
    const pub = res.json();
    expect(pub).toMatchObject({ target: 'server', server_id: s.serverId, server_name: 'calc', enabled: true, endpoint: `ws://127.0.0.1:${s.ep.port}/mcp/?token=***` });
    expect(pub.token_secret).toMatch(/^pipe-endpoint-/);

    const conn = await s.ep.connection(1);
    expect(conn.url).toBe(`/mcp/?token=${TOKEN}`);
    expect((await conn.initialize()).result.serverInfo.name).toBe('calc');
    const who = await conn.request('tools/call', { name: 'whoami', arguments: {} });
    expect(who.result.content[0].text).toBe(`user:admin via pipe:127.0.0.1:${s.ep.port}`);
    expect(s.gateway.sessions[0]).toMatchObject({ server: 'calc', caller: `pipe:127.0.0.1:${s.ep.port}`, principal: { type: 'user', name: 'admin', role: 'admin' } });

    const status = await app.inject({ method: 'GET', url: `/api/v1/tools/${s.serverId}/status`, headers: s.auth });
    expect(status.statusCode).toBe(200);
    expect(status.json().publication).toMatchObject({ id: pub.id, status: { state: 'connected', connects: 1, messages_in: 3, messages_out: 2, last_error: null } });

    // The token is in the secret only: not in the stored row, any response, or the log.
    const row = await s.platform.ctx.db.selectFrom('publications').selectAll().executeTakeFirstOrThrow();
    expect(row.endpoint).toBe(`ws://127.0.0.1:${s.ep.port}/mcp/?\${secret:${pub.token_secret}}`);
    const secret = await app.inject({ method: 'GET', url: `/api/v1/secrets/${pub.token_secret}`, headers: s.auth });
    expect(secret.statusCode).toBe(200);
    const bodies = [res.body, status.body, (await app.inject({ method: 'GET', url: '/api/v1/publications', headers: s.auth })).body, secret.body];
    for (const b of bodies) expect(b).not.toContain(TOKEN);
    await s.platform.ctx.close();
    expect(allLogs(s.place.dir)).not.toContain(TOKEN);
  });

  it('reconnects enabled publications when the platform starts again', async () => {
    const s = await setup();
    await s.platform.app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint: s.ep.url(`token=${TOKEN}`) } });
    await s.ep.connection(1);
    const again = await s.restart();
    const conn = await s.ep.connection(2, 20_000);
    expect(conn.url).toBe(`/mcp/?token=${TOKEN}`);
    expect((await conn.initialize()).result.serverInfo.name).toBe('calc');
    const auth = await again.login();
    const list = await again.app.inject({ method: 'GET', url: '/api/v1/publications', headers: auth });
    expect(list.json()).toMatchObject({ total: 1, items: [{ server_name: 'calc', status: { state: 'connected' } }] });
  });

  it('disables, re-enables and removes a publication; removing deletes the stored token', async () => {
    const s = await setup();
    const { app } = s.platform;
    const pub = (await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint: s.ep.url(`token=${TOKEN}`) } })).json();
    const first = await s.ep.connection(1);

    const off = await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { enabled: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ enabled: false, status: null });
    await waitFor(() => first.ws.readyState === first.ws.CLOSED, 10_000, 'the disconnect');

    const on = await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: {} });
    expect(on.json()).toMatchObject({ enabled: true });
    const second = await s.ep.connection(2);

    const del = await app.inject({ method: 'DELETE', url: `/api/v1/tools/calc/publish`, headers: s.auth });
    expect(del.statusCode).toBe(204);
    await waitFor(() => second.ws.readyState === second.ws.CLOSED, 10_000, 'the disconnect');
    expect((await app.inject({ method: 'GET', url: `/api/v1/tools/calc/publish`, headers: s.auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/secrets/${pub.token_secret}`, headers: s.auth })).json()).toMatchObject({ deleted_at: expect.any(String) });
    const status = await app.inject({ method: 'GET', url: `/api/v1/tools/calc/status`, headers: s.auth });
    expect(status.json().publication).toBeNull();

    const audit = await s.platform.ctx.db.selectFrom('operation_logs').select(['action']).where('action', 'like', 'server.%publish').execute();
    expect(audit.map((a) => a.action)).toEqual(['server.publish', 'server.publish', 'server.publish', 'server.unpublish']);
  });

  it('refuses bad input with problem+json that never echoes the token, and keeps serving', async () => {
    const s = await setup();
    const { app } = s.platform;
    const post = (url: string, payload: unknown, headers = s.auth) => app.inject({ method: 'POST', url, headers, payload: payload as object });
    const cases: [string, unknown, number, RegExp][] = [
      ['/api/v1/tools/calc/publish', { endpoint: `http://127.0.0.1:1/mcp?token=${TOKEN}` }, 400, /must be a ws:\/\/ or wss:\/\/ URL/],
      ['/api/v1/tools/calc/publish', { endpoint: `file:///etc/passwd?token=${TOKEN}` }, 400, /must be a ws:\/\/ or wss:\/\/ URL/],
      ['/api/v1/tools/calc/publish', { endpoint: `not a url ${TOKEN}` }, 400, /not a valid URL/],
      ['/api/v1/tools/calc/publish', { endpoint: `wss://user:${TOKEN}@host/mcp` }, 400, /user:password@/],
      ['/api/v1/tools/calc/publish', {}, 400, /endpoint: required/],
      ['/api/v1/tools/calc/publish', { endpoint: 'wss://h/mcp?token=${secret:NO_SUCH_SECRET}' }, 422, /NO_SUCH_SECRET/],
      ['/api/v1/tools/calc/publish', { endpoint: 'wss://h/', extra: 1 }, 400, /extra/],
      ['/api/v1/tools/nope/publish', { endpoint: 'wss://h/' }, 404, /nope/],
      ['/api/v1/publications', { target: 'gateway', api_key_id: 'no-such-key', endpoint: 'wss://h/' }, 404, /API key/],
    ];
    for (const [url, payload, code, message] of cases) {
      const res = await post(url, payload);
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(code);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail ?? res.body).toMatch(message);
      expect(res.body).not.toContain(TOKEN);
    }
    const viewer = await s.platform.ctx.users.create({ username: 'viewer1', password: 'viewer1-password!', role: 'viewer' });
    void viewer;
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'viewer1', password: 'viewer1-password!' } });
    const vauth = { authorization: `Bearer ${login.json().access_token}` };
    expect((await post('/api/v1/tools/calc/publish', { endpoint: s.ep.url() }, vauth)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/publications', headers: vauth })).statusCode).toBe(200);
    expect(s.ep.connections).toHaveLength(0);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(allLogs(s.place.dir)).not.toContain(TOKEN);
  });

  it('through the platform\'s own gateway: the endpoint calls the running server, recorded as pipe:<endpoint host>', async () => {
    const s = await setup(false);
    const { app, ctx } = s.platform;
    expect((await app.inject({ method: 'POST', url: `/api/v1/tools/calc/start`, headers: s.auth })).statusCode).toBe(200);
    const pid = (await app.inject({ method: 'GET', url: `/api/v1/tools/calc/status`, headers: s.auth })).json().pid;
    await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint: s.ep.url(`token=${TOKEN}`) } });
    const conn = await s.ep.connection(1);
    const init = await conn.initialize();
    expect(init.result.serverInfo.name).toBe('tiny');
    const list = await conn.request('tools/list', {});
    expect(list.result.tools.map((t: { name: string }) => t.name)).toEqual(['echo']);
    const call = await conn.request('tools/call', { name: 'echo', arguments: { message: 'via the pipe' } });
    expect(call.result.content[0].text).toBe('via the pipe');
    // The server's one supervised process answered: no second child.
    expect((await app.inject({ method: 'GET', url: `/api/v1/tools/calc/status`, headers: s.auth })).json()).toMatchObject({ state: 'running', pid });
    await waitFor(async () => {
      await ctx.servers.recorder.flush();
      const rows = await ctx.db.selectFrom('mcp_logs').select(['caller', 'method']).where('server', '=', 'calc').where('method', '=', 'tools/call').execute();
      return rows.some((r) => r.caller === `pipe:127.0.0.1:${s.ep.port}`);
    }, 20_000, 'the pipe call in the protocol log');
    expect(allLogs(s.place.dir)).not.toContain(TOKEN);
  });
});

describe('publication endpoints and the outbound guard', () => {
  it('an endpoint the outbound policy refuses is refused when saved (422 naming MCPS_OUTBOUND_ALLOW): nothing stored, no connection', async () => {
    const s = await setup(true, { MCPS_OUTBOUND_ALLOW: '' });
    const { app, ctx } = s.platform;
    const secretsBefore = (await ctx.db.selectFrom('secrets').select('name').execute()).length;
    for (const endpoint of [s.ep.url(`token=${TOKEN}`), `ws://localhost:${s.ep.port}/mcp?token=${TOKEN}`, `wss://[::ffff:169.254.169.254]/?token=${TOKEN}`, `wss://[64:ff9b::7f00:1]:${s.ep.port}/`]) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint } });
      expect(res.statusCode, endpoint).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toMatch(/^endpoint: outbound connection to '.+' refused: .*MCPS_OUTBOUND_ALLOW/);
      expect(res.body).not.toContain(TOKEN);
    }
    // A change of endpoint is checked the same way; the publication keeps its old one.
    const ok = await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint: 'wss://unresolvable.invalid/mcp' } });
    expect(ok.statusCode).toBe(201);
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/publications/${ok.json().id}`, headers: s.auth, payload: { endpoint: s.ep.url(`token=${TOKEN}`) } });
    expect(patched.statusCode).toBe(422);
    expect(patched.json().detail).toMatch(/MCPS_OUTBOUND_ALLOW/);
    expect((await app.inject({ method: 'GET', url: `/api/v1/publications/${ok.json().id}`, headers: s.auth })).json().endpoint).toBe('wss://unresolvable.invalid/mcp');
    expect((await ctx.db.selectFrom('secrets').select('name').execute()).length).toBe(secretsBefore);
    expect(s.ep.connections).toHaveLength(0);
  });

  it('a running publication whose endpoint becomes refused backs off (growing, capped) and resolves its token once, not once per retry', async () => {
    const s = await setup();
    const res = await s.platform.app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint: s.ep.url(`token=${TOKEN}`) } });
    expect(res.statusCode).toBe(201);
    await s.ep.connection(1);
    // The same publication on a platform whose policy no longer allows loopback (as when DNS now answers a private address).
    const resolvesBefore = await countResolves(s.platform.ctx);
    const refused = await s.restart({ MCPS_OUTBOUND_ALLOW: '' });
    const auth = await refused.login();
    const delays: number[] = [];
    let status: { attempts: number; retry_in_ms: number | null; last_error: string | null } = { attempts: 0, retry_in_ms: null, last_error: null };
    await waitFor(async () => {
      status = (await refused.app.inject({ method: 'GET', url: `/api/v1/tools/calc/publish`, headers: auth })).json().status;
      if (status.retry_in_ms !== null && status.attempts > delays.length) delays[status.attempts - 1] = status.retry_in_ms;
      return status.attempts >= 6;
    }, 30_000, 'six refused attempts');
    expect(status.last_error).toMatch(/refused: .*MCPS_OUTBOUND_ALLOW/);
    expect(status.last_error).not.toContain(TOKEN);
    // FAST timing: base 200 ms doubling, capped at 1 s (less up to 20 % jitter).
    const seen = delays.filter((d) => d !== undefined);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1000);
    expect(Math.max(...seen)).toBeGreaterThan(Math.min(...seen));
    expect((await countResolves(refused.ctx)) - resolvesBefore).toBeLessThanOrEqual(1);
    expect(s.ep.connections).toHaveLength(1);
  });
});

describe('an endpoint token kept in a secret of the user', () => {
  it('is resolved once per connection chain, and afresh after the secret changes: the next reconnect uses the new value', async () => {
    const s = await setup();
    const { app } = s.platform;
    expect((await app.inject({ method: 'POST', url: '/api/v1/secrets', headers: s.auth, payload: { name: 'EP_TOKEN', value: 'first-token-value' } })).statusCode).toBe(201);
    const res = await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint: s.ep.url('token=${secret:EP_TOKEN}') } });
    expect(res.statusCode).toBe(201);
    const first = await s.ep.connection(1);
    expect(first.url).toBe('/mcp/?token=first-token-value');
    expect((await app.inject({ method: 'PUT', url: '/api/v1/secrets/EP_TOKEN', headers: s.auth, payload: { value: 'second-token-value' } })).statusCode).toBe(200);
    first.ws.terminate();
    expect((await s.ep.connection(2)).url).toBe('/mcp/?token=second-token-value');
  });
});

describe('deleting a published server', () => {
  it('removes its publication with it: the connection closes and the token secret is deleted', async () => {
    const s = await setup();
    const { app, ctx } = s.platform;
    const pub = (await app.inject({ method: 'POST', url: `/api/v1/tools/calc/publish`, headers: s.auth, payload: { endpoint: s.ep.url(`token=${TOKEN}`) } })).json();
    const conn = await s.ep.connection(1);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tools/calc`, headers: s.auth })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/publications', headers: s.auth })).json()).toMatchObject({ total: 0 });
    expect(await ctx.pipes.publications.sweep()).toBe(1);
    await waitFor(() => conn.ws.readyState === conn.ws.CLOSED, 10_000, 'the disconnect');
    expect((await app.inject({ method: 'GET', url: `/api/v1/secrets/${pub.token_secret}`, headers: s.auth })).json()).toMatchObject({ deleted_at: expect.any(String) });
  });
});

describe('publishing the whole gateway (POST /api/v1/publications)', () => {
  it('opens aggregate gateway sessions with the rights of the API key', async () => {
    const s = await setup();
    const { app } = s.platform;
    const key = await app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: s.auth, payload: { name: 'xiaozhi', role: 'operator' } });
    expect(key.statusCode).toBe(201);
    const keyId = key.json().api_key.id as string;
    const res = await app.inject({ method: 'POST', url: '/api/v1/publications', headers: s.auth, payload: { target: 'gateway', api_key_id: keyId, endpoint: s.ep.url(`token=${TOKEN}`) } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ target: 'gateway', server_id: null, principal: { type: 'api_key', id: keyId } });
    const conn = await s.ep.connection(1);
    expect((await conn.initialize()).result.serverInfo.name).toBe('gateway');
    expect(s.gateway.sessions[0]).toMatchObject({ principal: { type: 'api_key', name: 'xiaozhi', role: 'operator' } });
    expect(s.gateway.sessions[0]!.server).toBeUndefined();

    // A revoked key serves no more sessions: the next one is refused and the error shown.
    await app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${keyId}`, headers: s.auth });
    conn.ws.terminate();
    const next = await s.ep.connection(2, 20_000);
    const refused = await next.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    expect(refused.error?.message).toContain('revoked');
    const id = res.json().id as string;
    const one = await app.inject({ method: 'GET', url: `/api/v1/publications/${id}`, headers: s.auth });
    expect(one.json().status.server.last_error).toContain('revoked');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/publications/${id}`, headers: s.auth })).statusCode).toBe(204);
  });
});
