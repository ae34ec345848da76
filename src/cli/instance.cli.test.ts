import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/run-cli.js';
import { freePort } from '../../test/helpers/free-port.js';
import { serveCli } from '../../test/helpers/serve-cli.js';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { createTestDatabase } from '../../test/helpers/test-db.js';
import { isAlive } from '../servers/process/child-process.js';
import { readProcess } from '../servers/process/process-table.js';
import { INSTANCE_LOCK_FILE } from '../system/instance-lock.js';

const TINY = path.resolve(import.meta.dirname, '../../test/fixtures/mcp/tiny.mjs');
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});
const tmp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** An install folder whose .env says everything, so `MCPS_HOME=<it>` alone finds it from anywhere. */
async function install(): Promise<string> {
  const home = tmp('mcps-home-');
  const database = await createTestDatabase();
  cleanup.push(() => database.drop());
  const dbLine = database.kind === 'postgres' ? `DATABASE_URL=${database.url}\n` : '';
  writeFileSync(path.join(home, '.env'), `ENVIRONMENT=test\nLOG_LEVEL=warn\nMCPS_ADMIN_PASSWORD=${ADMIN_PASSWORD}\n${dbLine}`);
  return home;
}

async function api(url: string) {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const auth = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
  const post = async (p: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${p}`, { method: 'POST', headers: body ? { ...auth, 'content-type': 'application/json' } : auth, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await res.json()) as Record<string, unknown>;
  };
  return { post };
}

describe('one platform per data folder; mcps status and mcps stop; MCPS_HOME', () => {
  it('refuses a second serve without touching the first, and status / stop / log-service find the install from anywhere', { timeout: 300_000 }, async () => {
    const home = await install();
    const elsewhere = tmp('mcps-elsewhere-');
    const port = await freePort();
    const first = serveCli({ cwd: home, port });
    cleanup.push(() => first.child.kill('SIGKILL'));
    await first.ready();
    const { post } = await api(first.url);
    const { key } = (await post('/auth/api-keys', { name: 'desktop', role: 'admin' })) as { key: string };
    const { id } = (await post('/tools', { name: 'tiny', command: process.execPath, args: [TINY] })) as { id: string };
    const { pid: childPid } = (await post(`/tools/${id}/start`)) as { pid: number };
    expect(isAlive(childPid)).toBe(true);

    // A second `npm start` on the same folder: one line naming the first, exit 1, nothing of the first touched.
    const second = serveCli({ cwd: home, port });
    expect(await second.exited).toBe(1);
    expect(second.output().stderr).toBe(`mcps: another instance is running on ${path.join(home, 'data')}: pid ${first.child.pid}, ${first.url} (stop it with \`mcps stop\`)\n`);
    expect(isAlive(childPid)).toBe(true);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    const fromElsewhere = (args: string[], env: Record<string, string> = {}, input?: string) =>
      runCli(args, { cwd: elsewhere, env: { MCPS_HOME: home, ...env }, ...(input ? { input } : {}) });
    const status = await fromElsewhere(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^running: pid ${first.child.pid}, ${first.url}, up (\\d+[dhm] )?\\d+[hms], health: ok\\n$`));

    // As Claude Desktop starts it: another working directory, the install named by MCPS_HOME.
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } };
    const ls = await fromElsewhere(['log-service'], { MCPS_API_KEY: key }, JSON.stringify(init) + '\n');
    expect(ls.stderr).toBe('');
    expect(ls.stdout).toContain('"serverInfo":{"name":"mcps"');
    // Without MCPS_HOME there is no install here: said so, and none is created.
    const none = await runCli(['log-service'], { cwd: elsewhere, env: { MCPS_API_KEY: key } });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`mcps: no database at ${path.join(elsewhere, 'data/mcps.db')} (set MCPS_HOME or DATABASE_URL)\n`);
    expect(existsSync(path.join(elsewhere, 'data'))).toBe(false);

    const stop = await fromElsewhere(['stop']);
    expect(stop.stdout).toBe(`stopped (pid ${first.child.pid})\n`);
    expect(stop.code).toBe(0);
    expect(await first.exited).toBe(0);
    expect(isAlive(childPid)).toBe(false);
    expect(existsSync(path.join(home, 'data', INSTANCE_LOCK_FILE))).toBe(false);
    const after = await fromElsewhere(['status']);
    expect([after.code, after.stdout]).toEqual([3, `not running (data folder ${path.join(home, 'data')})\n`]);
    expect(await fromElsewhere(['stop'])).toMatchObject({ code: 0, stdout: 'not running\n' });

    // A platform that does not stop on SIGTERM is killed after --timeout.
    const stubborn = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); process.stdout.write('ready')"], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanup.push(() => stubborn.kill('SIGKILL'));
    await new Promise((r) => stubborn.stdout.once('data', r));
    const pid = stubborn.pid!;
    writeFileSync(path.join(home, 'data', INSTANCE_LOCK_FILE), JSON.stringify({ pid, startTime: readProcess(pid)?.startTime ?? null, startedAt: new Date().toISOString(), url: null }));
    const forced = await fromElsewhere(['stop', '--timeout', '1']);
    expect(forced.stdout).toBe(`did not stop within 1 s: killed (pid ${pid}); its servers are reaped at the next start\n`);
    expect(forced.code).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });
});
