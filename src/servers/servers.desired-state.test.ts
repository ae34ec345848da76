import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { startTestPlatform, type TestPlatform } from '../../test/helpers/pipe-platform.js';
import { isGroupAlive } from './process/child-process.js';
import { fixtureBody } from '../../test/helpers/servers-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * Desired state across a real platform restart (two contexts, one after the other, on the same
 * database and DATA_DIR) and a restore: what a person last started comes back; what a person
 * stopped stays stopped; a crash and a clean shutdown change nothing.
 */

type Platform = TestPlatform & { auth: { authorization: string } };

let database: TestDatabase;
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-desired-'));
const pids = new Set<number>();
const open: Platform[] = [];

afterAll(async () => {
  for (const p of open) await p.close();
  for (const pid of pids) expect(isGroupAlive(pid), `process group ${pid} left behind`).toBe(false);
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function boot(): Promise<Platform> {
  database ??= await createTestDatabase();
  const p = await startTestPlatform(database, dir);
  await p.ctx.servers.boot();
  const platform = { ...p, auth: await p.login() };
  open.push(platform);
  return platform;
}

async function shutdown(p: Platform): Promise<void> {
  await p.close();
  open.splice(open.indexOf(p), 1);
}

const call = (p: Platform, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  p.app.inject({ method, url: `/api/v1${url}`, headers: p.auth, ...(payload ? { payload } : {}) });

async function state(p: Platform, name: string): Promise<string> {
  const s = (await call(p, 'GET', `/tools/${name}/status`)).json<{ state: string; pid: number | null }>();
  if (s.pid) pids.add(s.pid);
  return s.state;
}

const waitState = (p: Platform, name: string, want: string) => waitFor(async () => (await state(p, name)) === want, 20_000, `${name} to be ${want}`);

describe('desired state', () => {
  it('a platform restart brings back the servers a person left running, not those a person stopped; a crash changes nothing', async () => {
    const first = await boot();
    for (const name of ['kept', 'crashed', 'user-stopped', 'never-started']) {
      expect((await call(first, 'POST', '/tools', fixtureBody(name, 'well-behaved'))).statusCode).toBe(201);
    }
    for (const name of ['kept', 'crashed', 'user-stopped']) expect((await call(first, 'POST', `/tools/${name}/start`)).statusCode).toBe(200);
    expect((await call(first, 'POST', '/tools/user-stopped/stop')).statusCode).toBe(200);
    expect((await call(first, 'GET', '/tools/kept')).json()).toMatchObject({ desired_state: 'running', auto_start: false });
    expect((await call(first, 'GET', '/tools/user-stopped')).json()).toMatchObject({ desired_state: 'stopped' });
    // A crash (restart policy never): the server ends up not running, but nobody asked for that.
    const crashedPid = (await call(first, 'GET', '/tools/crashed/status')).json<{ pid: number }>().pid;
    process.kill(crashedPid, 'SIGKILL');
    await waitFor(async () => !['running', 'starting'].includes(await state(first, 'crashed')), 10_000, 'crashed to go down');
    expect(await state(first, 'kept')).toBe('running');

    await shutdown(first);
    const second = await boot();
    await waitState(second, 'kept', 'running');
    await waitState(second, 'crashed', 'running');
    expect(await state(second, 'user-stopped')).toBe('stopped');
    expect(await state(second, 'never-started')).toBe('stopped');
    const rows = () => second.ctx.db.selectFrom('operation_logs').select(['target_id', 'outcome', 'details']).where('action', '=', 'server.autostart').execute();
    await waitFor(async () => (await rows()).length >= 2, 10_000, 'two server.autostart audit rows');
    for (const r of await rows()) expect(r).toMatchObject({ outcome: 'success', details: JSON.stringify({ reason: 'desired-state' }) });

    // Stopped by a person on this run: stays stopped through the next restart.
    expect((await call(second, 'POST', '/tools/crashed/stop')).statusCode).toBe(200);
    await shutdown(second);
    const third = await boot();
    await waitState(third, 'kept', 'running');
    await new Promise((r) => setTimeout(r, 300));
    expect(await state(third, 'crashed')).toBe('stopped');
  }, 90_000);

  it('a restore brings back the servers that were meant to run when the backup was taken', async () => {
    const p = open[0]!;
    const backup = await call(p, 'POST', '/system/backups', {});
    expect(backup.statusCode, backup.body).toBe(201);
    expect((await call(p, 'POST', '/tools/kept/stop')).statusCode).toBe(200);
    const restored = await call(p, 'POST', `/system/backups/${backup.json<{ id: string }>().id}/restore`, { safety_backup: false });
    expect(restored.statusCode, restored.body).toBe(200);
    await waitState(p, 'kept', 'running');
    expect(await state(p, 'crashed')).toBe('stopped');
  }, 60_000);
});
