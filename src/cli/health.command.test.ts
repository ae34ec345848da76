import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';

let database: TestDatabase;
let cwd: string;
afterAll(async () => {
  await database?.drop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('mcps health', () => {
  it('prints the checks and exits 0 when healthy; a failing check exits 1', { timeout: 180_000 }, async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'mcps-health-cli-'));
    database = await createTestDatabase();
    const env = { ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_MASTER_KEY: randomBytes(32).toString('base64'), BACKUP_SCHEDULE: 'off' };
    // Creates the install (the database schema) first.
    expect((await runCli(['db', 'migrate'], { cwd, env })).code).toBe(0);
    const ok = await runCli(['health'], { cwd, env });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^healthy \(local checks/);
    expect(ok.stdout).toMatch(/OK {3}database/);
    expect(ok.stdout).toMatch(/OK {3}disk {6}[\d.]+% free/);

    const full = await runCli(['health'], { cwd, env: { ...env, MONITOR_DISK_MIN_FREE_PERCENT: '99' } });
    expect(full.code).toBe(1);
    expect(full.stdout).toMatch(/^unhealthy/);
    expect(full.stdout).toMatch(/FAIL disk/);

    const away = await runCli(['health', '--url', 'http://127.0.0.1:9'], { cwd, env });
    expect(away.code).toBe(1);
    expect(away.stdout).toMatch(/^unhealthy: http:\/\/127\.0\.0\.1:9 does not answer/);
  });
});
