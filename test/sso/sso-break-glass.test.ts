import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/** Break glass: with password sign-in off and the provider failing, whoever runs the host turns it back on. */

const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-sso-cli-'));
let database: TestDatabase;
afterAll(async () => {
  await database?.drop();
  rmSync(cwd, { recursive: true, force: true });
});

describe('mcps user local-passwords', () => {
  it('turns the password sign-in off and on (stored as the auth.local_passwords setting, audited); bad input exits non-zero', { timeout: 180_000 }, async () => {
    database = await createTestDatabase();
    const env = { ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_MASTER_KEY: randomBytes(32).toString('base64'), BACKUP_SCHEDULE: 'off' };
    const stored = async () => {
      const handle = connect(database.url);
      try {
        const row = await handle.db.selectFrom('settings').select('value').where('key', '=', 'auth.local_passwords').executeTakeFirst();
        const audit = await handle.db.selectFrom('operation_logs').select(['actor_type', 'action']).where('action', '=', 'system.config.update').execute();
        return { value: row?.value ?? null, audits: audit.length, actor: audit[0]?.actor_type };
      } finally {
        await handle.close();
      }
    };
    const off = await runCli(['user', 'local-passwords', 'off'], { cwd, env });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/password sign-in is off/);
    expect(await stored()).toEqual({ value: 'false', audits: 1, actor: 'cli' });
    const on = await runCli(['user', 'local-passwords', 'on'], { cwd, env });
    expect(on.code, on.stderr).toBe(0);
    expect((await stored()).value).toBe('true');
    const bad = await runCli(['user', 'local-passwords', 'maybe'], { cwd, env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/expected 'on' or 'off'/);
  });
});
