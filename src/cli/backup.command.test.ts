import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs, runCli } from '../../test/helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { sqlitePathOf } from '../config.js';
import { connect } from '../db/connect.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function install(): Promise<{ cwd: string; env: Record<string, string>; database: TestDatabase }> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-backup-cli-'));
  const database = await createTestDatabase();
  cleanup.push(async () => rmSync(cwd, { recursive: true, force: true }), () => database.drop());
  const env = { ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_MASTER_KEY: randomBytes(32).toString('base64'), BACKUP_SCHEDULE: 'off' };
  return { cwd, env, database };
}

describe('mcps backup', () => {
  it('create, list, verify, restore (with --yes only); bad input exits non-zero', { timeout: 240_000 }, async () => {
    const { cwd, env } = await install();
    const mcps = (args: string[], input?: string) => runCli(args, { cwd, env, ...(input === undefined ? {} : { input }) });

    expect((await mcps(['secrets', 'set', 'KEPT'], 'kept-value')).code).toBe(0);
    const created = await mcps(['backup', 'create', '--label', 'cli test']);
    expect(created.code, created.stderr).toBe(0);
    const id = /created backup (\S+):/.exec(created.stdout)![1]!;
    expect(created.stdout).toMatch(/\d+ rows/);

    const list = await mcps(['backup', 'list']);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain('cli test');
    expect((await mcps(['backup', 'verify', id])).stdout).toContain(`backup ${id} is sound`);

    expect((await mcps(['secrets', 'set', 'ADDED_LATER'], 'later')).code).toBe(0);
    const refused = await mcps(['backup', 'restore', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');
    expect((await mcps(['secrets', 'list'])).stdout).toContain('ADDED_LATER');

    const restored = await mcps(['backup', 'restore', id, '--yes']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`restored backup ${id}`);
    expect(restored.stdout).toMatch(/previous data is in backup mcps-/);
    const secrets = (await mcps(['secrets', 'list'])).stdout;
    expect(secrets).toContain('KEPT');
    expect(secrets).not.toContain('ADDED_LATER');
    expect((await mcps(['secrets', 'get', 'KEPT'])).stdout).toBe('kept-value');

    const garbage = path.join(cwd, 'garbage.gz');
    writeFileSync(garbage, randomBytes(2000));
    const bad = await mcps(['backup', 'verify', garbage]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^mcps: invalid backup: not a readable gzip file/);
    const badRestore = await mcps(['backup', 'restore', garbage, '--yes']);
    expect(badRestore.code).toBe(1);
    expect((await mcps(['secrets', 'list'])).stdout).toContain('KEPT');
    const missing = await mcps(['backup', 'verify', 'mcps-20200101T000000Z-00000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("backup 'mcps-20200101T000000Z-00000000' not found");
  });

  it('kill -9 during a restore leaves a sound database holding the old data or the new, never a mix', { timeout: 240_000 }, async () => {
    const { cwd, env, database } = await install();
    const h = connect(database.url);
    const bulk = async (from: number, n: number) => {
      const rows = database.kind === 'sqlite'
        ? sql`with recursive c(x) as (select ${from} union all select x + 1 from c where x < ${from + n - 1}) select x from c`
        : sql`select generate_series(${from}::int, ${from + n - 1}::int) as x`;
      await sql`insert into system_logs (time, level, level_num, msg) select '2026-11-29T00:00:00.000Z', 'info', 30, 'bulk-' || x from (${rows}) as s`.execute(h.db);
    };
    const fingerprint = async () => {
      const n = await sql<{ n: number }>`select count(*) as n from system_logs where msg like 'bulk-%'`.execute(h.db);
      const users = await h.db.selectFrom('users').select('username').orderBy('username').execute();
      return `${Number(n.rows[0]!.n)} bulk rows; users ${users.map((u) => u.username).join(',')}`;
    };
    try {
      expect((await runCli(['db', 'migrate'], { cwd, env })).code).toBe(0);
      await h.db.insertInto('users').values({ id: 'u1', username: 'in-backup', password_hash: 'x', role: 'viewer', disabled_at: null, password_changed_at: 'x', last_login_at: null, created_at: 'x', updated_at: 'x' }).execute();
      await bulk(1, 150_000);
      const created = await runCli(['backup', 'create'], { cwd, env });
      expect(created.code, created.stderr).toBe(0);
      const id = /created backup (\S+):/.exec(created.stdout)![1]!;
      const newer = await fingerprint();

      // Change everything the backup holds.
      await h.db.deleteFrom('users').where('id', '=', 'u1').execute();
      await h.db.insertInto('users').values({ id: 'u2', username: 'after-backup', password_hash: 'x', role: 'viewer', disabled_at: null, password_changed_at: 'x', last_login_at: null, created_at: 'x', updated_at: 'x' }).execute();
      await sql`delete from system_logs where msg like 'bulk-1%'`.execute(h.db);
      await bulk(900_000, 20_000);
      const older = await fingerprint();
      expect(older).not.toBe(newer);

      // Restore in a child process and kill it (SIGKILL) once its transaction is under way.
      const child = spawn(process.execPath, cliArgs(['backup', 'restore', id, '--yes', '--no-safety-backup']), {
        cwd,
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('replacing the data')) resolve();
        });
        void exited.then(() => resolve());
      });
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      await exited;
      const interrupted = !stdout.includes('restored backup');
      expect(interrupted, 'the restore was still running when killed').toBe(true);

      if (database.kind === 'sqlite') {
        const raw = new SqliteDatabase(sqlitePathOf(database.url));
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(raw.pragma('foreign_key_check')).toEqual([]);
        raw.close();
      }
      const afterKill = await fingerprint();
      expect([older, newer]).toContain(afterKill);
      expect(afterKill).toBe(older);

      // The same restore, left to finish, brings the backup's data.
      const done = await runCli(['backup', 'restore', id, '--yes', '--no-safety-backup'], { cwd, env });
      expect(done.code, done.stderr).toBe(0);
      expect(await fingerprint()).toBe(newer);
    } finally {
      await h.close();
    }
  });
});
