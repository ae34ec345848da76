import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs, runCli } from '../../test/helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { sqlitePathOf } from '../config.js';
import { migrations } from '../db/migrations/index.js';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

const mcps = runCli;

async function workspace() {
  const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-cli-'));
  const db = await createTestDatabase();
  dbs.push(db);
  return { cwd, env: { DATABASE_URL: db.url, ENVIRONMENT: 'test' } };
}

describe('mcps db', () => {
  // Several CLI processes in a row: slow on a loaded 2-core machine, hence the longer timeout.
  it('status, migrate, rollback, migrate', { timeout: 120_000 }, async () => {
    const w = await workspace();
    // `db status` reads an existing database only (a missing SQLite file is an error): start from an empty one.
    if (w.env.DATABASE_URL.startsWith('sqlite:')) writeFileSync(sqlitePathOf(w.env.DATABASE_URL), '');
    const s1 = await mcps(['db', 'status'], w);
    expect(s1.code).toBe(0);
    expect(s1.stdout).toMatch(/pending\s+001-foundation/);
    expect(s1.stdout).not.toContain('password');

    const m = await mcps(['db', 'migrate'], w);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain('applied: 001-foundation');
    expect((await mcps(['db', 'status'], w)).stdout).toMatch(/applied\s+001-foundation/);
    expect((await mcps(['db', 'migrate'], w)).stdout).toContain('already up to date');

    const last = Object.keys(migrations).at(-1)!;
    const r = await mcps(['db', 'rollback'], w);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`reverted: ${last}`);
    expect((await mcps(['db', 'status'], w)).stdout).toMatch(new RegExp(`pending\\s+${last}`));
    expect((await mcps(['db', 'migrate'], w)).code).toBe(0);
  });
});

describe('mcps user', () => {
  it('creates a user from a password on stdin, audits it, and resets the password', { timeout: 120_000 }, async () => {
    const w = await workspace();
    const c = await mcps(['user', 'create', '--username', 'ops', '--role', 'operator'], { ...w, input: 'ops-password-123\n' });
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/created user ops \(operator\)/);

    const dup = await mcps(['user', 'create', '--username', 'ops', '--role', 'operator'], { ...w, input: 'ops-password-123\n' });
    expect(dup.code).toBe(1);
    expect(dup.stderr.trim()).toBe("mcps: user 'ops' already exists");

    const reset = await mcps(['user', 'reset-password', 'ops'], { ...w, input: 'ops-password-456\n' });
    expect(reset.code).toBe(0);

    // The new password works through the real login path.
    const { loadConfig } = await import('../config.js');
    const { createContext } = await import('../context.js');
    const { createLogger } = await import('../logs/logger.js');
    const logger = await createLogger({ level: 'fatal', logFile: null, stdout: false });
    const ctx = await createContext(loadConfig(w.env, { envFile: false, cwd: w.cwd }), { logger });
    try {
      await expect(ctx.auth.login('ops', 'ops-password-456', '127.0.0.1')).resolves.toHaveProperty('access_token');
      await expect(ctx.auth.login('ops', 'ops-password-123', '127.0.0.1')).rejects.toThrow();
      const audit = await ctx.db.selectFrom('operation_logs').selectAll().where('actor_type', '=', 'cli').execute();
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['user.create', 'user.reset_password']));
    } finally {
      await ctx.close();
    }
  });

  it.each([
    [['user', 'create', '--username', 'x y', '--role', 'admin'], /^mcps: username: /],
    [['user', 'create', '--username', 'okname', '--role', 'root'], /^mcps: role: /],
    [['user', 'create', '--username', 'okname', '--role', 'admin'], /^mcps: password must be at least 12/],
    [['user', 'reset-password', 'ghost'], /^mcps: user 'ghost' not found/],
  ])('%j fails with one line and exit 1', async (args, re) => {
    const w = await workspace();
    const r = await mcps(args, { ...w, input: args[1] === 'reset-password' ? 'long-enough-password\n' : 'short\n' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(re);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('mcps serve', () => {
  it.each([
    [{ ENVIRONMENT: 'production' }, 'mcps: Invalid configuration: SECRET_KEY: required when ENVIRONMENT=production'],
    [{ ENVIRONMENT: 'production', SECRET_KEY: 'your-secret-key-here' }, 'SECRET_KEY: is an example value'],
    [{ PORT: 'abc' }, 'mcps: Invalid configuration: PORT: expected a whole number'],
  ])('refuses to start with %j, in one line', async (env, message) => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-cli-'));
    const r = await mcps(['serve'], { cwd, env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('first start prints a generated admin password once; it logs in; it is never logged or printed again', { timeout: 120_000 }, async () => {
    const w = await workspace();
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const env = { ...w.env, PORT: port, LOG_LEVEL: 'info' };

    const serve = () => {
      const child = spawn(process.execPath, cliArgs(['serve']), { cwd: w.cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start: ${stderr}`)), 60_000);
        child.stdout.on('data', () => {
          if (stdout.includes('MCPS.ONE started')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      return { child, ready, exited, out: () => ({ stdout, stderr }) };
    };

    const first = serve();
    await first.ready;
    const password = /password: (\S+)/.exec(first.out().stderr)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited, first.out().stderr).toBe(0);

    const second = serve();
    await second.ready;
    expect(second.out().stderr).not.toContain('FIRST ADMIN');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // Not in stdout logs, not in the log files.
    expect(first.out().stdout + second.out().stdout).not.toContain(password!);
    const logDir = path.join(w.cwd, 'logs');
    const files = readdirSync(logDir).filter((f) => f !== 'current.log');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(path.join(logDir, f), 'utf8')).not.toContain(password!);
  });
});
