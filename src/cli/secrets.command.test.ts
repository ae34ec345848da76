import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { sqlitePathOf } from '../config.js';
import { connect } from '../db/connect.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup) await c();
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('mcps secrets', () => {
  it('set, get, list, rotate, rewrap; then the plaintext is nowhere in DATA_DIR or LOG_DIR', { timeout: 240_000 }, async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-secrets-cli-'));
    cleanup.push(async () => rmSync(cwd, { recursive: true, force: true }));
    // On SQLite the database lives in DATA_DIR (the default), so the grep covers it.
    let database: TestDatabase | undefined;
    const env: Record<string, string> = { ENVIRONMENT: 'test' };
    if (process.env['TEST_DATABASE_URL']?.startsWith('postgres')) {
      const db = await createTestDatabase('postgres');
      database = db;
      cleanup.push(() => db.drop());
      env['DATABASE_URL'] = db.url;
    }
    const mcps = (args: string[], input?: string) => runCli(['secrets', ...args], { cwd, env, ...(input === undefined ? {} : { input }) });
    const first = `cli-canary-${randomBytes(6).toString('hex')}`;
    const second = `cli-canary-${randomBytes(6).toString('hex')}`;
    const rotated = `cli-canary-${randomBytes(6).toString('hex')}`;

    const set1 = await mcps(['set', 'API_TOKEN'], `${first}\n`);
    expect(set1.stderr).toBe('');
    expect(set1.stdout.trim()).toBe('created secret API_TOKEN (version 1)');
    expect((await mcps(['set', 'API_TOKEN'], second)).stdout.trim()).toBe('stored version 2 of secret API_TOKEN');

    const got = await mcps(['get', 'API_TOKEN']);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(second);
    expect((await mcps(['get', 'API_TOKEN', '--version', '1', '--reason', 'cli test'])).stdout).toBe(first);

    const list = await mcps(['list']);
    expect(list.stdout).toMatch(/^NAME\tVERSION\tUPDATED\tLAST USED\tTAGS\nAPI_TOKEN\t2\t\S+\t\S+\t-\n$/);

    const rot = await mcps(['rotate', 'API_TOKEN', '--reason', 'cli rotation'], rotated);
    expect(rot.stdout).toMatch(/^rotated secret API_TOKEN to version 3; version 2 stays readable until \S+Z\n$/);
    expect((await mcps(['rotate', 'API_TOKEN', '--generate', '--length', '40'])).stdout).toMatch(/^rotated secret API_TOKEN to version 4;/);
    const generated = (await mcps(['get', 'API_TOKEN'])).stdout;
    expect(generated).toMatch(/^[A-Za-z0-9]{40}$/);

    const bad = await mcps(['get', 'etc/passwd']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('mcps: Secret name must not contain path characters (/, \\ or ..)\n');
    expect((await mcps(['rewrap'])).stdout.trim()).toBe('re-wrapped 0 version(s) under master key v1; 0 still under an older key');

    // Audited as the OS user, with the reason.
    const h = connect(env['DATABASE_URL'] ?? `sqlite:///${path.join(cwd, 'data/mcps.db')}`);
    try {
      const rows = await h.db.selectFrom('operation_logs').selectAll().where('actor_type', '=', 'cli').orderBy('id').execute();
      expect(rows.map((r) => [r.action, r.outcome])).toEqual([
        ['secret.create', 'success'],
        ['secret.update', 'success'],
        ['secret.reveal', 'success'],
        ['secret.reveal', 'success'],
        ['secret.rotate', 'success'],
        ['secret.rotate', 'success'],
        ['secret.reveal', 'success'],
        ['secret.reveal', 'failure'],
        ['secret.rewrap', 'success'],
      ]);
      expect(JSON.parse(rows[3]!.details!)).toEqual({ version: 1, reason: 'cli test' });
    } finally {
      await h.close();
    }

    const dataDir = path.join(cwd, 'data');
    expect(statSync(path.join(dataDir, 'master_key')).mode & 0o777).toBe(0o600);
    const files = [...filesUnder(dataDir), ...filesUnder(path.join(cwd, 'logs'))];
    if (!database) expect(files).toContain(sqlitePathOf(`sqlite:///${path.join(dataDir, 'mcps.db')}`));
    expect(files.some((f) => f.includes(`${path.sep}logs${path.sep}`))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const plaintext of [first, second, rotated, generated]) expect(bytes.includes(plaintext), `${plaintext} in ${f}`).toBe(false);
    }
  });
});
