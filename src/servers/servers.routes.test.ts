import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGroupAlive } from './process/child-process.js';
import { createServersTestApp, fixtureBody, type ServersTestApp } from '../../test/helpers/servers-app.js';
import { EVERYTHING_ENTRY } from '../../test/helpers/fixtures.js';

/** The happy path through the REST API, with real child processes. */

let t: ServersTestApp;
beforeAll(async () => {
  t = await createServersTestApp();
});
afterAll(async () => t.closeAndCheck(), 60_000);

describe('managed servers over REST', () => {
  it('registers, starts, lists capabilities, calls echo and records the call with caller and duration', async () => {
    const created = await t.call('POST', '/tools', fixtureBody('wb', 'well-behaved', { description: 'fixture', tags: ['test'] }));
    expect(created.statusCode, created.body).toBe(201);
    const server = created.json();
    expect(server).toMatchObject({ name: 'wb', transport: 'stdio', state: 'stopped', pid: null, enabled: true, auto_start: false, restart_policy: 'never', max_retries: 3 });

    const started = await t.call('POST', `/tools/${server.id}/start`);
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ name: 'wb', state: 'running', server_info: { name: 'well-behaved' } });
    expect(started.json().pid).toBeGreaterThan(0);
    t.pids.add(started.json().pid);
    expect(started.json().transitions.map((x: { to: string }) => x.to)).toEqual(['starting', 'running']);

    const caps = await t.call('GET', '/tools/wb/capabilities');
    expect(caps.statusCode, caps.body).toBe(200);
    expect(caps.json().protocol_version).toMatch(/^20\d\d-/);
    expect(caps.json().tools.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['echo', 'add']));
    expect(caps.json().tools.find((x: { name: string }) => x.name === 'echo').inputSchema).toMatchObject({ properties: { message: { type: 'string' } } });
    expect(caps.json().resources).toEqual([expect.objectContaining({ uri: 'fixture://hello' })]);
    expect(caps.json().prompts).toEqual([expect.objectContaining({ name: 'greet' })]);

    const echoed = await t.call('POST', '/tools/wb/call', { tool: 'echo', arguments: { message: 'hello there' } });
    expect(echoed.statusCode, echoed.body).toBe(200);
    expect(echoed.json()).toEqual({ content: [{ type: 'text', text: 'hello there' }] });
    const added = await t.call('POST', '/tools/wb/call', { tool: 'add', arguments: { a: 2, b: 3 } });
    expect(added.json()).toMatchObject({ structuredContent: { sum: 5 } });
    const resource = await t.call('POST', '/tools/wb/read-resource', { uri: 'fixture://hello' });
    expect(resource.json()).toMatchObject({ contents: [{ text: 'hello from the fixture' }] });
    const prompt = await t.call('POST', '/tools/wb/get-prompt', { name: 'greet', arguments: { who: 'Ann' } });
    expect(prompt.json()).toMatchObject({ messages: [{ content: { text: 'Hello, Ann!' } }] });

    const rows = await t.mcpLog('wb', '&method=tools/call');
    const response = rows.find((r) => r.direction === 'in' && String(r.payload).includes('hello there'));
    expect(response).toMatchObject({ caller: 'user:admin', method: 'tools/call', outcome: 'ok' });
    expect(response!.duration_ms).toEqual(expect.any(Number));
    const request = rows.find((r) => r.direction === 'out' && r.jsonrpc_id === response!.jsonrpc_id);
    expect(request).toMatchObject({ caller: 'user:admin', method: 'tools/call' });
    // The handshake was made by the platform, for no caller.
    const init = await t.mcpLog('wb', '&method=initialize');
    expect(init.length).toBeGreaterThanOrEqual(2);
    expect(init.every((r) => r.caller === null)).toBe(true);
    // Start and call are in the operation log.
    const ops = await t.call('GET', `/logs/operations?target=${server.id}`);
    expect(ops.json().items.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['server.create', 'server.start']));
  });

  it('restarts a server killed with SIGKILL (restart_policy always) with a new pid, then stops it leaving no process', async () => {
    const created = await t.call('POST', '/tools', fixtureBody('phoenix', 'well-behaved', { restart_policy: 'always' }));
    expect(created.statusCode, created.body).toBe(201);
    const first = (await t.call('POST', '/tools/phoenix/start')).json();
    expect(first.state).toBe('running');
    t.pids.add(first.pid);
    process.kill(first.pid, 'SIGKILL');
    await t.waitState('phoenix', 'backoff', 10_000).catch(() => {});
    await t.waitState('phoenix', 'running', 20_000);
    const second = await t.status('phoenix');
    expect(second.pid).not.toBe(first.pid);
    expect(second.restarts).toBe(1);
    expect(isGroupAlive(first.pid)).toBe(false);
    expect((await t.call('POST', '/tools/phoenix/call', { tool: 'whoami' })).json().structuredContent.pid).toBe(second.pid);

    const stopped = await t.call('POST', '/tools/phoenix/stop');
    expect(stopped.json()).toMatchObject({ state: 'stopped', pid: null });
    expect(isGroupAlive(second.pid!)).toBe(false);
    const notRunning = await t.call('POST', '/tools/phoenix/call', { tool: 'echo', arguments: { message: 'x' } });
    expect(notRunning.statusCode).toBe(409);
    expect(notRunning.json()).toMatchObject({ state: 'stopped', server_error: 'SERVER_NOT_RUNNING' });
  }, 45_000);

  it('deleting a running server stops its process first', async () => {
    await t.call('POST', '/tools', fixtureBody('doomed', 'well-behaved'));
    const pid = (await t.call('POST', '/tools/doomed/start')).json().pid as number;
    t.pids.add(pid);
    expect(isGroupAlive(pid)).toBe(true);
    const res = await t.call('DELETE', '/tools/doomed');
    expect(res.statusCode).toBe(204);
    expect(isGroupAlive(pid)).toBe(false);
    expect((await t.call('GET', '/tools/doomed')).statusCode).toBe(404);
  });

  it('lists servers paginated with the total, by id or name', async () => {
    const page = (await t.call('GET', '/tools?limit=1')).json();
    expect(page.items).toHaveLength(1);
    expect(page.total).toBeGreaterThanOrEqual(2);
    const next = (await t.call('GET', `/tools?limit=10&cursor=${page.next_cursor}`)).json();
    expect([...page.items, ...next.items].map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['phoenix', 'wb']));
    const byId = (await t.call('GET', `/tools/${page.items[0].id}`)).json();
    expect(byId.name).toBe(page.items[0].name);
  });

  it('runs @modelcontextprotocol/server-everything from its installed bin and echoes', async () => {
    const created = await t.call('POST', '/tools', { name: 'everything', command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'], timeout_ms: 30_000 });
    expect(created.statusCode, created.body).toBe(201);
    const started = await t.call('POST', '/tools/everything/start');
    expect(started.statusCode, started.body).toBe(200);
    t.pids.add(started.json().pid);
    const caps = (await t.call('GET', '/tools/everything/capabilities')).json();
    expect(caps.server_info.name).toBe('mcp-servers/everything');
    expect(caps.tools.map((x: { name: string }) => x.name)).toContain('echo');
    const echoed = await t.call('POST', '/tools/everything/call', { tool: 'echo', arguments: { message: 'hi' } });
    expect(echoed.json()).toMatchObject({ content: [{ type: 'text', text: 'Echo: hi' }] });
    const rows = await t.mcpLog('everything', '&method=tools/call&outcome=ok');
    expect(rows.some((r) => r.caller === 'user:admin' && typeof r.duration_ms === 'number')).toBe(true);
    expect((await t.call('POST', '/tools/everything/stop')).json().state).toBe('stopped');
  }, 60_000);
});
