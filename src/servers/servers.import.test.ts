import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServersTestApp, fixtureBody, type ServersTestApp } from '../../test/helpers/servers-app.js';
import { fixturePath } from '../../test/helpers/fixtures.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/** Import / export of the mcpServers JSON, secret references and masking. */

let t: ServersTestApp;
beforeAll(async () => {
  t = await createServersTestApp();
});
afterAll(async () => t.closeAndCheck(), 60_000);

const claudeDesktop = {
  globalShortcut: 'Ctrl+Space',
  mcpServers: {
    filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
    'GitHub Tools': { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${secret:GITHUB_TOKEN}' } },
    remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${secret:REMOTE_TOKEN}' } },
  },
};

describe('import and export', () => {
  it('imports a Claude Desktop config with three servers in one request, then reports updated and skipped', async () => {
    const first = await t.call('POST', '/tools/import', claudeDesktop);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      created: [
        { name: 'filesystem', source: 'filesystem' },
        { name: 'github-tools', source: 'GitHub Tools' },
        { name: 'remote', source: 'remote' },
      ],
      updated: [],
      skipped: [],
    });
    const gh = (await t.call('GET', '/tools/github-tools')).json();
    expect(gh).toMatchObject({ transport: 'stdio', command: 'npx', env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${secret:GITHUB_TOKEN}' } });
    expect((await t.call('GET', '/tools/remote')).json()).toMatchObject({ transport: 'streamable-http', url: 'https://mcp.example.com/mcp' });

    const changed = structuredClone(claudeDesktop);
    changed.mcpServers.filesystem.args = ['-y', '@modelcontextprotocol/server-filesystem', '/srv'];
    (changed.mcpServers as Record<string, unknown>)['bad'] = { args: ['no command'] };
    const second = await t.call('POST', '/tools/import', changed);
    expect(second.json()).toEqual({
      created: [],
      updated: [{ name: 'filesystem', source: 'filesystem' }],
      skipped: [
        { name: 'github-tools', source: 'GitHub Tools', reason: 'unchanged' },
        { name: 'remote', source: 'remote', reason: 'unchanged' },
        { name: null, source: 'bad', reason: 'neither command nor url' },
      ],
    });
    expect((await t.call('GET', '/tools/filesystem')).json().args).toEqual(['-y', '@modelcontextprotocol/server-filesystem', '/srv']);
  });

  it('exports the mcpServers JSON that imports back unchanged (references stay references)', async () => {
    const exported = await t.call('GET', '/tools/export');
    expect(exported.statusCode).toBe(200);
    const file = exported.json();
    expect(file.mcpServers['github-tools']).toEqual({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-github'],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${secret:GITHUB_TOKEN}' },
    });
    expect(file.mcpServers.remote).toEqual({ type: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${secret:REMOTE_TOKEN}' } });
    const again = (await t.call('POST', '/tools/import', file)).json();
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.skipped.every((s: { reason: string }) => s.reason === 'unchanged')).toBe(true);
    // VS Code's `servers` key works too.
    const vscode = (await t.call('POST', '/tools/import', { servers: { 'vs-sse': { type: 'sse', url: 'http://127.0.0.1:9/sse' } } })).json();
    expect(vscode.created).toEqual([{ name: 'vs-sse', source: 'vs-sse' }]);
  });
});

describe('secrets in env and headers', () => {
  it('never returns literal credential values, keeps them on update when sent back masked', async () => {
    const created = await t.call('POST', '/tools', fixtureBody('masked', 'well-behaved', { env: { API_KEY: 'literal-key-123', MODE: 'fast' } }));
    expect(created.json().env).toEqual({ API_KEY: '********', MODE: 'fast' });
    expect(created.body).not.toContain('literal-key-123');
    const updated = await t.call('PUT', '/tools/masked', { env: { API_KEY: '********', MODE: 'slow' } });
    expect(updated.json().env).toEqual({ API_KEY: '********', MODE: 'slow' });
    const exported = (await t.call('GET', '/tools/export')).json();
    expect(exported.mcpServers.masked.env).toEqual({ API_KEY: 'literal-key-123', MODE: 'slow' });
  });

  it('resolves ${secret:NAME} when the server starts, never in responses, and redacts the value from the protocol log', async () => {
    expect((await t.call('POST', '/secrets', { name: 'FIXTURE_TOKEN', value: 's3cr3t-value-xyz' })).statusCode).toBe(201);
    await t.call('POST', '/tools', fixtureBody('withsecret', 'well-behaved', { env: { FIXTURE_TOKEN: '${secret:FIXTURE_TOKEN}' } }));
    const started = await t.call('POST', '/tools/withsecret/start');
    expect(started.statusCode, started.body).toBe(200);
    const pid = started.json().pid as number;
    t.pids.add(pid);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('FIXTURE_TOKEN=s3cr3t-value-xyz');
    const view = await t.call('GET', '/tools/withsecret');
    expect(view.json().env).toEqual({ FIXTURE_TOKEN: '${secret:FIXTURE_TOKEN}' });
    expect(view.body).not.toContain('s3cr3t-value-xyz');

    await t.call('POST', '/tools/withsecret/call', { tool: 'echo', arguments: { message: 'token is s3cr3t-value-xyz', password: 'pw' } });
    const rows = await t.mcpLog('withsecret', '&method=tools/call');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(String(r.payload)).not.toContain('s3cr3t-value-xyz');
    expect(rows.some((r) => String(r.payload).includes('[REDACTED:FIXTURE_TOKEN]'))).toBe(true);

    const missing = await t.call('POST', '/tools', fixtureBody('missingref', 'well-behaved', { env: { X: '${secret:NOT_THERE}' } }));
    expect(missing.statusCode).toBe(201);
    const res = await t.call('POST', '/tools/missingref/start');
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/NOT_THERE/);
  });

  it('records the API key name as the caller of calls made with an API key', async () => {
    const key = await t.call('POST', '/auth/api-keys', { name: 'ci-bot', role: 'operator' });
    expect(key.statusCode, key.body).toBe(201);
    const headers = { authorization: `Bearer ${key.json().key as string}` };
    const res = await t.call('POST', '/tools/withsecret/call', { tool: 'echo', arguments: { message: 'from ci' } }, headers);
    expect(res.statusCode, res.body).toBe(200);
    const rows = await t.mcpLog('withsecret', '&caller=api_key:ci-bot');
    expect(rows.map((r) => r.direction).sort()).toEqual(['in', 'out']);
    expect(fixturePath('well-behaved')).toContain('fixtures/mcp');
  });

  it('restarts a running server with the new value when a secret it references is updated', async () => {
    const before = await t.status('withsecret');
    expect(before.state).toBe('running');
    expect((await t.call('PUT', '/secrets/FIXTURE_TOKEN', { value: 'second-value-abc' })).statusCode).toBe(200);
    await waitFor(async () => (await t.status('withsecret')).pid !== before.pid && (await t.status('withsecret')).state === 'running', 15_000, 'a restart');
    const pid = (await t.status('withsecret')).pid!;
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('FIXTURE_TOKEN=second-value-abc');
  });

  it('carries session_mode: imported, exported when per_session, kept when a file leaves it out, a bad value refused', async () => {
    const file = { mcpServers: { 'sm-stdio': { command: 'node', args: ['x.js'], session_mode: 'per_session' }, 'sm-remote': { url: 'https://h.example.com/mcp' } } };
    const first = (await t.call('POST', '/tools/import', file)).json();
    expect(first.created.map((c: { name: string }) => c.name)).toEqual(['sm-stdio', 'sm-remote']);
    expect((await t.call('GET', '/tools/sm-stdio')).json().session_mode).toBe('per_session');
    expect((await t.call('GET', '/tools/sm-remote')).json().session_mode).toBe('shared');

    const exported = (await t.call('GET', '/tools/export')).json();
    expect(exported.mcpServers['sm-stdio']).toEqual({ command: 'node', args: ['x.js'], session_mode: 'per_session' });
    expect(exported.mcpServers['sm-remote']).not.toHaveProperty('session_mode');
    const again = (await t.call('POST', '/tools/import', { mcpServers: { 'sm-stdio': exported.mcpServers['sm-stdio'] } })).json();
    expect(again.skipped).toEqual([{ name: 'sm-stdio', source: 'sm-stdio', reason: 'unchanged' }]);

    // A file without the key (as a client writes it) leaves the stored mode alone.
    const plain = (await t.call('POST', '/tools/import', { mcpServers: { 'sm-stdio': { command: 'node', args: ['x.js'] } } })).json();
    expect(plain.skipped).toEqual([{ name: 'sm-stdio', source: 'sm-stdio', reason: 'unchanged' }]);
    expect((await t.call('GET', '/tools/sm-stdio')).json().session_mode).toBe('per_session');

    const back = (await t.call('POST', '/tools/import', { mcpServers: { 'sm-stdio': { command: 'node', args: ['x.js'], session_mode: 'shared' } } })).json();
    expect(back.updated).toEqual([{ name: 'sm-stdio', source: 'sm-stdio' }]);
    expect((await t.call('GET', '/tools/sm-stdio')).json().session_mode).toBe('shared');

    const bad = await t.call('POST', '/tools/import', { mcpServers: { 'sm-bad': { command: 'node', session_mode: 'sometimes' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('session_mode');
    expect((await t.call('GET', '/tools/sm-bad')).statusCode).toBe(404);
  });

  it('carries placement: one by default, every imported and exported, kept when a file leaves it out, a bad value refused', async () => {
    const file = { mcpServers: { 'pl-every': { command: 'node', args: ['x.js'], placement: 'every' }, 'pl-one': { command: 'node', args: ['y.js'] } } };
    expect((await t.call('POST', '/tools/import', file)).json().created).toHaveLength(2);
    expect((await t.call('GET', '/tools/pl-every')).json().placement).toBe('every');
    expect((await t.call('GET', '/tools/pl-one')).json().placement).toBe('one');
    const exported = (await t.call('GET', '/tools/export')).json();
    expect(exported.mcpServers['pl-every']).toEqual({ command: 'node', args: ['x.js'], placement: 'every' });
    expect(exported.mcpServers['pl-one']).not.toHaveProperty('placement');
    const plain = (await t.call('POST', '/tools/import', { mcpServers: { 'pl-every': { command: 'node', args: ['x.js'] } } })).json();
    expect(plain.skipped).toEqual([{ name: 'pl-every', source: 'pl-every', reason: 'unchanged' }]);
    const put = await t.call('PUT', '/tools/pl-every', { placement: 'one' });
    expect(put.statusCode).toBe(200);
    expect(put.json().placement).toBe('one');
    const bad = await t.call('POST', '/tools', { name: 'pl-bad', command: 'node', placement: 'some' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('placement');
  });
});
