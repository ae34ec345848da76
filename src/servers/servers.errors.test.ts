import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServersTestApp, fixtureBody, type Headers, type ServersTestApp } from '../../test/helpers/servers-app.js';

/** Bad input, refused calls and permissions: clear states and errors, nothing hangs, nothing leaks. */

let t: ServersTestApp;
let operator: Headers;
let viewer: Headers;
beforeAll(async () => {
  t = await createServersTestApp();
  operator = await t.as('operator');
  viewer = await t.as('viewer');
  expect((await t.call('POST', '/tools', fixtureBody('shared', 'well-behaved'))).statusCode).toBe(201);
});
afterAll(async () => t.closeAndCheck(), 60_000);

describe('permissions', () => {
  it('viewers read but cannot create, start or call', async () => {
    expect((await t.call('GET', '/tools', undefined, viewer)).statusCode).toBe(200);
    expect((await t.call('GET', '/tools/shared/status', undefined, viewer)).statusCode).toBe(200);
    expect((await t.call('POST', '/tools', fixtureBody('v1', 'well-behaved'), viewer)).statusCode).toBe(403);
    expect((await t.call('POST', '/tools/shared/start', undefined, viewer)).statusCode).toBe(403);
    expect((await t.call('POST', '/tools/shared/call', { tool: 'echo' }, viewer)).statusCode).toBe(403);
  });

  it('operators start, call and stop, but cannot create, change, delete, import or export', async () => {
    const started = await t.call('POST', '/tools/shared/start', undefined, operator);
    expect(started.statusCode, started.body).toBe(200);
    t.pids.add(started.json().pid);
    const echoed = await t.call('POST', '/tools/shared/call', { tool: 'echo', arguments: { message: 'op' } }, operator);
    expect(echoed.json()).toMatchObject({ content: [{ text: 'op' }] });
    const operatorName = (await t.call('GET', '/auth/me', undefined, operator)).json().name as string;
    const rows = await t.mcpLog('shared', '&method=tools/call');
    expect(rows.some((r) => r.caller === `user:${operatorName}` && r.direction === 'in')).toBe(true);

    expect((await t.call('POST', '/tools', fixtureBody('o1', 'well-behaved'), operator)).statusCode).toBe(403);
    expect((await t.call('PUT', '/tools/shared', { command: '/bin/sh' }, operator)).statusCode).toBe(403);
    expect((await t.call('DELETE', '/tools/shared', undefined, operator)).statusCode).toBe(403);
    expect((await t.call('POST', '/tools/import', { mcpServers: { x: { command: 'x' } } }, operator)).statusCode).toBe(403);
    expect((await t.call('GET', '/tools/export', undefined, operator)).statusCode).toBe(403);
    expect((await t.call('POST', '/tools/shared/stop', undefined, operator)).json().state).toBe('stopped');
  });
});

describe('bad input', () => {
  it('refuses invalid definitions with field errors', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'Bad Name', command: 'x' }, 'body.name'],
      [{ name: 'nocmd', transport: 'stdio' }, 'command'],
      [{ name: 'badurl', transport: 'streamable-http', url: 'ftp://example.com' }, 'url'],
      [{ name: 'nourl', transport: 'sse' }, 'url'],
      [{ name: 'import', command: 'x' }, 'name'],
      [{ name: 'badref', command: 'x', env: { TOKEN: '${secret:}' } }, 'env.TOKEN'],
      [{ name: 'extra', command: 'x', shell: true }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await t.call('POST', '/tools', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json().errors), JSON.stringify(body)).toContain(field);
    }
    expect((await t.call('POST', '/tools', fixtureBody('shared', 'well-behaved'))).statusCode).toBe(409);
    expect((await t.call('GET', '/tools/nope')).statusCode).toBe(404);
  });

  it('a command that does not exist: 502 with the reason, state fatal (policy never) and no process', async () => {
    await t.call('POST', '/tools', { name: 'ghost', command: '/nonexistent/mcp-server', restart_policy: 'never' });
    const res = await t.call('POST', '/tools/ghost/start');
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ code: 'bad_gateway', state: 'fatal' });
    expect(res.json().last_error).toMatch(/ENOENT|not found|no such file/i);
    const s = await t.status('ghost');
    expect(s).toMatchObject({ state: 'fatal', pid: null });
  });

  it('a failed start: the supervisor resolves with the settled state (never rejects); the person who asked gets 502', async () => {
    await t.call('POST', '/tools', { name: 'ghost3', command: '/nonexistent/mcp-server', restart_policy: 'never' });
    expect((await t.call('POST', '/tools/ghost3/start')).statusCode).toBe(502);
    const supervisor = t.ctx.servers.supervisor;
    const again = await supervisor.start('ghost3');
    expect(again).toMatchObject({ state: 'fatal', pid: null, lastError: expect.stringMatching(/ENOENT|not found|no such file/i) });
    expect((await supervisor.restart('ghost3')).state).toBe('fatal');
    // The one rejection: a name the supervisor never had.
    await expect(supervisor.start('never-registered')).rejects.toMatchObject({ code: 'SERVER_NOT_FOUND' });
  });

  it('a command that does not exist with restart_policy always: backoff with a next restart, then stoppable', async () => {
    await t.call('POST', '/tools', { name: 'ghost2', command: '/nonexistent/mcp-server', restart_policy: 'always', max_retries: 2 });
    const res = await t.call('POST', '/tools/ghost2/start');
    expect(res.statusCode).toBe(502);
    expect(res.json().state).toBe('backoff');
    expect(res.json().next_restart_at).toEqual(expect.any(String));
    expect((await t.call('POST', '/tools/ghost2/stop')).json().state).toBe('stopped');
  });

  it('a server that exits at once: 502 with its exit code and stderr', async () => {
    await t.call('POST', '/tools', fixtureBody('quitter', 'exit-immediately'));
    const res = await t.call('POST', '/tools/quitter/start');
    expect(res.statusCode).toBe(502);
    expect(res.json().last_error).toMatch(/exited with code 3/);
    expect((await t.status('quitter')).pid).toBeNull();
    const stderr = await t.call('GET', '/tools/quitter/stderr?tail=5');
    expect(stderr.statusCode).toBe(200);
    expect(stderr.json().lines).toEqual(expect.any(Array));
  });

  it('an unknown tool is a 400 with the MCP error; arguments failing the schema come back as isError', async () => {
    const started = await t.call('POST', '/tools/shared/start');
    t.pids.add(started.json().pid);
    const unknown = await t.call('POST', '/tools/shared/call', { tool: 'does_not_exist', arguments: {} });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ server_error: 'MCP_ERROR', rpc_code: -32602 });
    expect(unknown.json().detail).toMatch(/does_not_exist/);
    const bad = await t.call('POST', '/tools/shared/call', { tool: 'echo', arguments: { message: 42 } });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/Invalid arguments|expected string/) }] });
    const rows = await t.mcpLog('shared', '&outcome=error');
    expect(rows.some((r) => r.error_code === -32602)).toBe(true);
    expect((await t.call('POST', '/tools/shared/call', { arguments: {} })).statusCode).toBe(400);
    expect((await t.call('POST', '/tools/shared/read-resource', { uri: 'fixture://missing' })).statusCode).toBeGreaterThanOrEqual(400);
    // The server still serves after all that.
    expect((await t.call('POST', '/tools/shared/call', { tool: 'echo', arguments: { message: 'ok' } })).json()).toMatchObject({ content: [{ text: 'ok' }] });
  });

  it('a disabled server cannot be started', async () => {
    await t.call('POST', '/tools', fixtureBody('off', 'well-behaved', { enabled: false }));
    const res = await t.call('POST', '/tools/off/start');
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/disabled/);
  });
});
