import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listProcesses } from '../../src/servers/process/process-table.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { serveCli } from '../helpers/serve-cli.js';
import { createTestDatabase } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * `kill -9` of the platform with 10 stdio children running, among them children that outlive their
 * stdin, ignore SIGTERM, or leave an npx-style grandchild behind when they exit: the next `mcps serve`
 * reaps every process of every old group before it serves, and starts the servers a person wanted
 * running again, in new groups. (src/servers/orphans.serve.test.ts covers 3 plain children.)
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/mcp');
const KINDS: { fixture: string; env?: Record<string, string> }[] = [
  ...Array.from({ length: 4 }, () => ({ fixture: 'stdin-outliving.mjs' })),
  ...Array.from({ length: 3 }, () => ({ fixture: 'faulty.mjs', env: { FAULT: 'ignore-term' } })),
  ...Array.from({ length: 3 }, () => ({ fixture: 'faulty.mjs', env: { FAULT: 'grandchild' } })),
];
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function adminHeaders(url: string): Promise<Record<string, string>> {
  const body = JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD });
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const { access_token } = (await login.json()) as { access_token: string };
  return { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
}

async function startServer(url: string, headers: Record<string, string>, name: string, kind: (typeof KINDS)[number]): Promise<number> {
  const body = JSON.stringify({ name, command: process.execPath, args: [path.join(FIXTURES, kind.fixture)], env: kind.env ?? {} });
  const created = await fetch(`${url}/api/v1/tools`, { method: 'POST', headers, body });
  expect(created.status, await created.clone().text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const started = await fetch(`${url}/api/v1/tools/${id}/start`, { method: 'POST', headers: { authorization: headers['authorization']! } });
  const status = (await started.json()) as { state: string; pid: number };
  expect(status, JSON.stringify(status)).toMatchObject({ state: 'running' });
  return status.pid;
}

const liveIn = (pgids: Set<number>) => listProcesses().filter((p) => pgids.has(p.pgid) && p.state !== 'Z');

describe('platform kill -9 with 10 children running', () => {
  it('the next start reaps every process of the old groups (0 orphans) and restarts the servers', { timeout: 300_000 }, async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-kill9-'));
    const database = await createTestDatabase();
    const groups = new Set<number>();
    cleanup.push(
      () => rmSync(cwd, { recursive: true, force: true }),
      () => database.drop(),
      () => liveIn(groups).forEach((p) => process.kill(p.pid, 'SIGKILL')),
    );
    const env = { ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'warn' };

    const first = serveCli({ cwd, port: await freePort(), env });
    cleanup.push(() => first.child.kill('SIGKILL'));
    await first.ready();
    const headers = await adminHeaders(first.url);
    for (const [i, kind] of KINDS.entries()) groups.add(await startServer(first.url, headers, `s${i}`, kind));
    await waitFor(() => liveIn(groups).length >= 13, 10_000, 'the 10 children and 3 grandchildren');
    const before = liveIn(groups).length;

    first.child.kill('SIGKILL');
    await first.exited;
    // Wrappers exit when their stdin closes and leave their grandchild; the others run on.
    await new Promise((r) => setTimeout(r, 500));
    const leftAfterKill = liveIn(groups).length;
    expect(leftAfterKill).toBeGreaterThanOrEqual(10);

    const second = serveCli({ cwd, port: await freePort(), env });
    cleanup.push(() => second.child.kill('SIGKILL'));
    await second.ready();
    const orphans = liveIn(groups);
    expect(orphans).toEqual([]);

    // The servers a person started come back, in new groups.
    const h2 = await adminHeaders(second.url);
    const list = (await (await fetch(`${second.url}/api/v1/tools?limit=100`, { headers: h2 })).json()) as { items: { id: string }[] };
    expect(list.items).toHaveLength(10);
    const newGroups = new Set<number>();
    await waitFor(
      async () => {
        newGroups.clear();
        for (const t of list.items) {
          const s = (await (await fetch(`${second.url}/api/v1/tools/${t.id}/status`, { headers: h2 })).json()) as { state: string; pid: number | null };
          if (s.state === 'running' && s.pid) newGroups.add(s.pid);
        }
        return newGroups.size === 10;
      },
      60_000,
      'all 10 servers running again',
    );
    expect([...newGroups].filter((g) => groups.has(g))).toEqual([]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const afterStop = liveIn(newGroups);
    console.log(
      `supervisor-platform-kill figures ${JSON.stringify({ children: KINDS.length, processes_before_kill: before, alive_after_kill: leftAfterKill, orphans_after_restart: orphans.length, left_after_clean_stop: afterStop.length })}`,
    );
    expect(afterStop).toEqual([]);
  });
});
