import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('mcps serve with a backup schedule', () => {
  it('takes automatic backups on schedule and prunes old ones, as GET /system/backups shows', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-serve-backups-'));
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }), () => database.drop());
    const config = loadConfig(
      { ENVIRONMENT: 'test', PORT: '0', DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, BACKUP_SCHEDULE: '*/2 * * * * *', BACKUP_KEEP_COUNT: '2', LOG_LEVEL: 'warn' },
      { envFile: false, cwd: dir },
    );
    const server = await startServer(config);
    cleanup.push(() => server.stop());
    const url = server.url;
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const headers = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
    const list = async () => (await (await fetch(`${url}/api/v1/system/backups`, { headers })).json()) as { items: { kind: string; id: string }[]; schedule: { schedule: string; next_run: string | null } };

    const first = await list();
    expect(first.schedule.schedule).toBe('*/2 * * * * *');
    expect(first.schedule.next_run).not.toBeNull();

    // Runs every 2 s and keeps 2: wait until at least 4 runs are in the operation log.
    const runs = async () => {
      const r = await fetch(`${url}/api/v1/logs/operations?action=backup.create&limit=100`, { headers });
      return ((await r.json()) as { items: unknown[] }).items.length;
    };
    const deadline = Date.now() + 90_000;
    while ((await runs()) < 4) {
      if (Date.now() > deadline) throw new Error('the schedule did not run 4 times in 90 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    // At most 2 stay (a run between its backup and its pruning may briefly show a third).
    let scheduled = (await list()).items.filter((m) => m.kind === 'scheduled');
    while (scheduled.length > 2) {
      if (Date.now() > deadline) throw new Error(`${scheduled.length} scheduled backups kept, expected 2`);
      await new Promise((r) => setTimeout(r, 100));
      scheduled = (await list()).items.filter((m) => m.kind === 'scheduled');
    }
    expect(scheduled.length).toBeGreaterThanOrEqual(1);
  });

  it('removes at start the partial files of killed runs of this machine, and only those', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-serve-backups-'));
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }), () => database.drop());
    const config = loadConfig({ ENVIRONMENT: 'test', PORT: '0', DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'warn' }, { envFile: false, cwd: dir });
    mkdirSync(config.backupDir, { recursive: true });
    const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const files = {
      killed: `.tmp-${dead}@${host}.00112233445566aa`,
      // A backup another process of this machine is writing (the CLI, another instance): its pid runs.
      running: `.tmp-${process.ppid}@${host}.00112233445566bb`,
      // Another machine sharing the folder: its pids mean nothing here.
      elsewhere: `.tmp-${dead}@not-${host}.00112233445566cc`,
      // A name of an older release (no owner): left to the 24 h rule.
      unnamed: '.tmp-00112233445566dd',
    };
    for (const name of Object.values(files)) writeFileSync(path.join(config.backupDir, name), 'partial');
    const server = await startServer(config);
    cleanup.push(() => server.stop());
    const left = (name: string) => existsSync(path.join(config.backupDir, name));
    expect(left(files.killed)).toBe(false);
    expect(left(files.running)).toBe(true);
    expect(left(files.elsewhere)).toBe(true);
    expect(left(files.unnamed)).toBe(true);
  });
});
