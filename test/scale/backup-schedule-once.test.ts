import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

// The instances share the token key, as instances behind one balancer must.
const SECRET_KEY = randomBytes(48).toString('base64');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

interface Listing {
  items: { kind: string }[];
  schedule: { next_run: string | null };
}

/**
 * Two instances on one database, each with its own DATA_DIR (its own BACKUP_DIR), and a schedule of
 * every second: the scheduled backups are written by one instance only (the holder of the
 * `backups.scheduler` lease), not once per instance.
 */
describe('automatic backups with two instances on one database', () => {
  it('are taken by one instance, not by each', { timeout: 120_000 }, async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const urls: string[] = [];
    for (const name of ['a', 'b']) {
      const dir = mkdtempSync(path.join(tmpdir(), `mcps-backup-once-${name}-`));
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const config = loadConfig(
        { ENVIRONMENT: 'test', PORT: '0', DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, BACKUP_SCHEDULE: '* * * * * *', BACKUP_KEEP_COUNT: '100', LOG_LEVEL: 'warn', MCPS_ALERTS_LEASE_TTL_MS: '3000', SECRET_KEY },
        { envFile: false, cwd: dir },
      );
      const server = await startServer(config);
      cleanup.push(() => server.stop());
      urls.push(server.url);
    }
    const login = await fetch(`${urls[0]}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const headers = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
    const listing = async (url: string) => (await (await fetch(`${url}/api/v1/system/backups`, { headers })).json()) as Listing;
    const scheduled = async () => Promise.all(urls.map(async (u) => (await listing(u)).items.filter((m) => m.kind === 'scheduled').length));

    const deadline = Date.now() + 60_000;
    while ((await scheduled()).reduce((a, b) => a + b) < 4) {
      if (Date.now() > deadline) throw new Error('fewer than 4 scheduled backups in 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    const counts = await scheduled();
    // One instance writes them all; the other has none and shows no next run.
    expect(counts.filter((n) => n === 0)).toHaveLength(1);
    const nextRuns = await Promise.all(urls.map(async (u) => (await listing(u)).schedule.next_run));
    expect(nextRuns.filter((n) => n === null)).toHaveLength(1);
    console.log(`[scale] scheduled backups with two instances on one database: ${counts.join(' + ')} (one instance writes them)`);
  });
});
