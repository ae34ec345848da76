import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { builtFile } from '../../test/helpers/built-file.js';
import { connect } from './connect.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-sqlite-conc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIXTURE = builtFile('test/fixtures/db/sqlite-counter.ts');

function run(url: string, times: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FIXTURE, url, String(times)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('SQLite shared by two processes (the CLI while the platform serves)', () => {
  it('read-then-write transactions from both wait for each other instead of failing with SQLITE_BUSY', { timeout: 120_000 }, async () => {
    const url = `sqlite:///${path.join(dir, 'shared.db')}`;
    const h = connect(url);
    await sql`create table counter (n integer not null)`.execute(h.db);
    await sql`insert into counter (n) values (0)`.execute(h.db);

    const results = await Promise.all([run(url, 150), run(url, 150), run(url, 150)]);
    for (const r of results) {
      expect(r.err).toBe('');
      expect(JSON.parse(r.out)).toEqual({ failed: 0 });
    }
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(h.db);
    expect(rows[0]!.n).toBe(450);
    await h.close();
  });
});
