import { createReadStream } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { localCaller } from '../../src/secrets/secret-caller.js';
import { rollupAndScan } from '../helpers/log-counts.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/**
 * A backup written by the previous release (schema 016-monitors, made by that release's own code: see
 * test/fixtures/backups/README.md) restores on this one: into today's tables, with the columns added
 * since at their defaults, and everything in it usable (login, secrets, servers, monitors).
 */
const FIXTURE = path.join(import.meta.dirname, '../fixtures/backups/schema-016.backup.gz');
// The test-only key the fixture's secrets were encrypted with.
const MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const cli = localCaller('cli', 'upgrade-test');

const open: { c: TestContext; db: TestDatabase }[] = [];
afterAll(async () => {
  for (const { c, db } of open) {
    await c.dispose();
    await db.drop();
  }
});

describe('a backup taken on the previous release (schema 016)', () => {
  it('restores on this release, and its user, secret, server, monitor and protocol log are all there', { timeout: 120_000 }, async () => {
    const db = await createTestDatabase();
    const c = await createTestContext(db.url, { MCPS_MASTER_KEY: MASTER_KEY, BACKUP_SCHEDULE: 'off' });
    open.push({ c, db });
    const imported = await c.ctx.backups.service.import(createReadStream(FIXTURE), { label: 'release 016' });
    expect(imported.schema_version).toBe('016-monitors');

    const r = await c.ctx.backups.service.restore(imported.id, { safety: false });
    const latest = Object.keys(migrations).sort().at(-1);
    expect(r.notes).toEqual([`backup schema 016-monitors restored into schema ${latest}`]);

    // The user logs in with the password set on the old release.
    const login = await c.ctx.auth.login('zoë', 'password-of-zoe-1', '127.0.0.1');
    expect(login.access_token).toBeTruthy();
    // Secrets decrypt with the same master key: the current version and the older one.
    expect((await c.ctx.secrets.reveal('API_TOKEN', { reason: 'test' }, cli)).value).toBe('tok-second');
    expect((await c.ctx.secrets.reveal('API_TOKEN', { version: 1, reason: 'test' }, cli)).value).toBe('tok-first');
    // The server has the column 017 added, at its default.
    const server = await c.ctx.db.selectFrom('servers').selectAll().where('name', '=', 'files').executeTakeFirstOrThrow();
    expect(server.session_mode).toBe('shared');
    expect(JSON.parse(server.env ?? '{}')).toEqual({ TOKEN: '${secret:API_TOKEN}' });
    const monitors = await c.ctx.monitors.service.list(cli);
    expect(monitors.items.map((m) => m.name)).toEqual(['web']);
    const logs = await c.ctx.db.selectFrom('mcp_logs').select(['server', 'method', 'payload']).execute();
    expect(logs).toEqual([{ server: 'files', method: 'tools/call', payload: '{"jsonrpc":"2.0"}' }]);
    // Its logs are counted for GET /logs/stats (the backup predates the counts).
    const { rollup, scan } = await rollupAndScan(c.ctx.db);
    expect(rollup).toEqual(scan);
    expect((await c.ctx.logs.stats('day', 365)).mcp.map((x) => x.count)).toEqual([1]);

    // And a backup of the restored database restores again on this release (the round trip goes on).
    const again = await c.ctx.backups.service.create({ label: 'after upgrade' });
    expect(again.schema_version).toBe(latest);
    const r2 = await c.ctx.backups.service.restore(again.id, { safety: false });
    expect(r2.notes).toEqual([]);
    console.log(`[scale] backup of schema 016-monitors restored into ${latest} (${db.kind}): rows ${Object.values(r.row_counts).reduce((a, b) => a + b, 0)}`);
  });
});
