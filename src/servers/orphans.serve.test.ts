import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { serveCli } from '../../test/helpers/serve-cli.js';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { createTestDatabase } from '../../test/helpers/test-db.js';
import { isAlive } from './process/child-process.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../test/fixtures/mcp/stdin-outliving.mjs');
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function adminHeaders(url: string): Promise<Record<string, string>> {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const { access_token } = (await login.json()) as { access_token: string };
  return { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
}

async function startStdioServer(url: string, headers: Record<string, string>, name: string): Promise<number> {
  const created = await fetch(`${url}/api/v1/tools`, { method: 'POST', headers, body: JSON.stringify({ name, command: process.execPath, args: [FIXTURE] }) });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const started = await fetch(`${url}/api/v1/tools/${id}/start`, { method: 'POST', headers: { authorization: headers['authorization']! } });
  const status = (await started.json()) as { state: string; pid: number };
  expect(status, JSON.stringify(status)).toMatchObject({ state: 'running' });
  return status.pid;
}

describe('mcps serve after the platform was killed with SIGKILL', () => {
  it('reaps every orphan left running and goes on to serve', { timeout: 120_000 }, async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-orphans-'));
    const database = await createTestDatabase();
    const orphans: number[] = [];
    cleanup.push(() => rmSync(cwd, { recursive: true, force: true }), () => database.drop(), () => orphans.forEach((p) => kill(p)));
    const env = { ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'warn' };

    const first = serveCli({ cwd, port: await freePort(), env });
    cleanup.push(() => first.child.kill('SIGKILL'));
    await first.ready();
    const headers = await adminHeaders(first.url);
    for (const name of ['one', 'two', 'three']) orphans.push(await startStdioServer(first.url, headers, name));
    first.child.kill('SIGKILL');
    await first.exited;
    // The children outlive the platform: nothing closes them but a signal.
    expect(orphans.every(isAlive)).toBe(true);

    const second = serveCli({ cwd, port: await freePort(), env });
    cleanup.push(() => second.child.kill('SIGKILL'));
    await second.ready();
    expect(orphans.filter(isAlive)).toEqual([]);
    expect((await fetch(`${second.url}/health`)).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
