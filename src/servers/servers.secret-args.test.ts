import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../lib/ids.js';
import { nowIso } from '../lib/clock.js';
import { createServersTestApp, fixtureBody, type ServersTestApp } from '../../test/helpers/servers-app.js';
import { fixturePath } from '../../test/helpers/fixtures.js';

/** `${secret:...}` never reaches a child's command line (readable by every local user): env only. */

let t: ServersTestApp;
beforeAll(async () => {
  t = await createServersTestApp();
  expect((await t.call('POST', '/secrets', { name: 'ARGS_TOKEN', value: 'argv-canary-7f3e9a' })).statusCode).toBe(201);
});
afterAll(async () => t.closeAndCheck(), 60_000);

const cmdlineOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');

describe('secret references in args', () => {
  it('are refused at create, update and import, with a message pointing to env', async () => {
    const created = await t.call('POST', '/tools', fixtureBody('argref', 'well-behaved', { args: [fixturePath('well-behaved'), '--token', '${secret:ARGS_TOKEN}'] }));
    expect(created.statusCode, created.body).toBe(400);
    expect(created.headers['content-type']).toContain('application/problem+json');
    expect(created.json().detail).toMatch(/args\[2\]: \$\{secret:ARGS_TOKEN\} is not allowed in args.*\/proc\/<pid>\/cmdline.*put the secret in env/);
    expect(created.json().errors).toEqual([{ field: 'args[2]', message: expect.stringContaining('env') }]);

    expect((await t.call('POST', '/tools', fixtureBody('argok', 'well-behaved'))).statusCode).toBe(201);
    const updated = await t.call('PUT', '/tools/argok', { args: [fixturePath('well-behaved'), '--token=${secret:ARGS_TOKEN}'] });
    expect(updated.statusCode, updated.body).toBe(400);
    expect(updated.json().detail).toMatch(/args\[1\].*put the secret in env/);

    const imported = await t.call('POST', '/tools/import', {
      mcpServers: { argimp: { command: 'npx', args: ['-y', 'some-server', '--api-key', '${secret:ARGS_TOKEN}'] } },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().created).toEqual([]);
    expect(imported.json().skipped).toEqual([{ name: 'argimp', source: 'argimp', reason: expect.stringMatching(/args\[3\].*put the secret in env/) }]);
  });

  it('a row stored before the check is refused at start and spawns nothing', async () => {
    const at = nowIso();
    await t.ctx.db
      .insertInto('servers')
      .values({
        id: newId(), name: 'oldargs', description: null, transport: 'stdio', command: process.execPath,
        args: JSON.stringify([fixturePath('well-behaved'), '--token', '${secret:ARGS_TOKEN}']),
        env: '{}', cwd: null, url: null, headers: '{}', enabled: 1, auto_start: 0, restart_policy: 'never',
        max_retries: 0, timeout_ms: 15_000, tags: '[]', created_at: at, updated_at: at,
      })
      .execute();
    const res = await t.call('POST', '/tools/oldargs/start');
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().detail).toMatch(/MCP server 'oldargs' not started: args\[2\].*put the secret in env/);
    expect(await t.status('oldargs')).toMatchObject({ state: 'stopped', pid: null });
  });

  it('a secret in env reaches the child environment, never its command line', async () => {
    const body = fixtureBody('envsecret', 'well-behaved', { env: { API_TOKEN: '${secret:ARGS_TOKEN}' } });
    expect((await t.call('POST', '/tools', body)).statusCode).toBe(201);
    const started = await t.call('POST', '/tools/envsecret/start');
    expect(started.statusCode, started.body).toBe(200);
    const pid = started.json().pid as number;
    t.pids.add(pid);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('API_TOKEN=argv-canary-7f3e9a');
    expect(cmdlineOf(pid).join(' ')).not.toContain('argv-canary-7f3e9a');
    expect(cmdlineOf(pid)).toEqual([process.execPath, fixturePath('well-behaved')]);
  });
});
