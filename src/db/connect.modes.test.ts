import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from './connect.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-sqlite-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('SQLite files are private to the platform user', () => {
  it('creates the folder 0700 and the database, WAL and shm 0600, whatever the umask', async () => {
    const old = process.umask(0o022);
    try {
      const file = path.join(dir, 'fresh', 'data', 'mcps.db');
      const h = connect(`sqlite:///${file}`);
      await sql`create table t (n integer)`.execute(h.db);
      await sql`insert into t values (1)`.execute(h.db);
      expect(mode(path.dirname(file))).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
      await h.close();
    } finally {
      process.umask(old);
    }
  });

  it('narrows a world-readable database left by an older version', async () => {
    const file = path.join(dir, 'old.db');
    writeFileSync(file, '', { mode: 0o644 });
    const h = connect(`sqlite:///${file}`);
    await sql`create table t (n integer)`.execute(h.db);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    await h.close();
  });
});
