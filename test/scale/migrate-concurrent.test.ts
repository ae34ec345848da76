import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../../src/db/connect.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { builtFile } from '../helpers/built-file.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

const CONTENDER = builtFile('test/fixtures/db/migrate-contender.ts');

let database: TestDatabase;
let cwd: string;
beforeEach(async () => {
  database = await createTestDatabase();
  cwd = mkdtempSync(path.join(tmpdir(), 'mcps-migrate2-'));
});
afterEach(async () => {
  await database.drop();
  rmSync(cwd, { recursive: true, force: true });
});

async function appliedRows(): Promise<string[]> {
  const h = connect(database.url);
  try {
    const rows = await h.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    return rows.map((r) => (r as { name: string }).name).sort();
  } finally {
    await h.close();
  }
}

/** A process that has connected and waits for "go" to migrate; resolves with what it applied or its error. */
function contender(): { ready: Promise<void>; go(): void; result: Promise<{ applied?: string[]; error?: string }> } {
  const child = spawn(process.execPath, [CONTENDER, database.url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('close', () => reject(new Error(`contender exited before ready: ${err}`)));
  });
  const result = new Promise<{ applied?: string[]; error?: string }>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as { applied?: string[] }) : reject(new Error(`contender exited ${code}: ${err}`)))),
  );
  return { ready, go: () => child.stdin.end('go\n'), result };
}

/**
 * `mcps db migrate` started by two processes at once (two instances upgraded together): both succeed,
 * each migration is applied exactly once between them, and the schema ends complete.
 */
describe('mcps db migrate run by two processes at once', () => {
  it('applies each migration once, and both processes succeed', { timeout: 180_000 }, async () => {
    const env = { DATABASE_URL: database.url, ENVIRONMENT: 'test', DATA_DIR: path.join(cwd, 'data') };
    const runs = await Promise.all([runCli(['db', 'migrate'], { cwd, env }), runCli(['db', 'migrate'], { cwd, env })]);
    for (const r of runs) expect(r.stderr, r.stderr).toBe('');
    expect(runs.map((r) => r.code)).toEqual([0, 0]);

    const appliedBy = runs.map((r) => (/applied: (.*)/.exec(r.stdout)?.[1] ?? '').split(', ').filter(Boolean));
    const all = [...appliedBy[0]!, ...appliedBy[1]!].sort();
    expect(all).toEqual(Object.keys(migrations).sort());

    expect(await appliedRows()).toEqual(Object.keys(migrations).sort());
    const figure = appliedBy.map((a) => a.length).join(' + ');
    console.log(`[scale] concurrent db migrate (${database.kind}): migrations applied by the two processes: ${figure} of ${Object.keys(migrations).length}`);
  });

  it('four processes released at the same instant: each migration applied once, none fails', { timeout: 180_000 }, async () => {
    const cs = Array.from({ length: 4 }, () => contender());
    await Promise.all(cs.map((c) => c.ready));
    for (const c of cs) c.go();
    const results = await Promise.all(cs.map((c) => c.result));
    expect(results.map((r) => r.error ?? null)).toEqual([null, null, null, null]);
    const all = results.flatMap((r) => r.applied ?? []).sort();
    expect(all).toEqual(Object.keys(migrations).sort());
    expect(await appliedRows()).toEqual(Object.keys(migrations).sort());
    console.log(`[scale] 4 processes migrating at once (${database.kind}): applied ${results.map((r) => r.applied?.length ?? 0).join(' + ')} of ${Object.keys(migrations).length}, errors 0`);
  });
});
