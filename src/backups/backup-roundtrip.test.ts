import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { needs } from '../../test/helpers/needs.js';
import { createTestContext, type TestContext } from '../../test/helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { migrations } from '../db/migrations/index.js';
import { createLeasesRepository } from '../leases/leases.repository.js';
import { localCaller } from '../secrets/secret-caller.js';
import { backupLines, rebuildBackup, tableContents } from '../../test/helpers/backup-file.js';
import { rollupAndScan } from '../../test/helpers/log-counts.js';
import { createTrafficRepository } from '../protocol-log/protocol-log.repository.js';

const MASTER_KEY = randomBytes(32).toString('base64');
const cli = localCaller('cli', 'backup-test');
const open: { c: TestContext; db: TestDatabase }[] = [];
afterAll(async () => {
  for (const { c, db } of open) {
    await c.dispose();
    await db.drop();
  }
});

async function platform(kind?: 'sqlite' | 'postgres'): Promise<TestContext> {
  const db = await createTestDatabase(kind);
  const c = await createTestContext(db.url, { MCPS_MASTER_KEY: MASTER_KEY, BACKUP_SCHEDULE: 'off' });
  open.push({ c, db });
  return c;
}

const fileOf = (c: TestContext, id: string) => readFileSync(c.ctx.backups.service.store.payloadPath(id));
/**
 * The tables this test writes and compares (tables of other domains may get rows from their own
 * background work between two backups). Restoring writes one log line about it into system_logs:
 * not part of the data compared.
 */
const COMPARED = ['users', 'api_keys', 'login_attempts', 'system_logs', 'operation_logs', 'mcp_logs', 'secrets', 'secret_versions', 'servers'];
const compared = (contents: Record<string, string[]>) => Object.fromEntries(COMPARED.map((t) => [t, contents[t]]));
const ignoreRestoreLog = (table: string, row: unknown[]) => table === 'system_logs' && row.includes('database restored from a backup');

async function seed(c: TestContext): Promise<void> {
  await c.ctx.users.create({ username: 'zoë', password: 'password-of-zoe-1', role: 'operator' });
  await c.ctx.secrets.create({ name: 'API_TOKEN', value: 'tok-\u00e9\u4e2d-plain', description: 'multi\nline "quoted" \u2603' }, cli);
  await c.ctx.secrets.update('API_TOKEN', { value: 'tok-second-plain' }, cli);
  await c.ctx.servers.servers.create({ name: 'files', transport: 'stdio', command: 'node', args: ['server.js', '--flag'], env: { TOKEN: '${secret:API_TOKEN}' } } as never);
  await c.ctx.db.insertInto('mcp_logs').values({ time: new Date().toISOString(), server: 'files', direction: 'out', size: 12, payload: '{"big":"' + 'x'.repeat(20_000) + '"}', caller: null, session_id: null, method: 'tools/call', jsonrpc_id: '1', duration_ms: null, outcome: null, error_code: null }).execute();
}

describe('backup while the platform keeps writing, then restore', () => {
  it('the snapshot is consistent (pairs written in one transaction are both in or both out) and a restore gives exactly its rows back', async () => {
    const c = await platform();
    await seed(c);
    const db = c.ctx.db;
    let stop = false;
    let written = 0;
    // Each transaction writes a login attempt and a system log line with the same marker.
    const writer = (async () => {
      while (!stop) {
        const marker = `pair-${written}`;
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('login_attempts').values({ username: marker, ip: '127.0.0.1', succeeded: 0, reason: null, created_at: new Date().toISOString() }).execute();
          await trx.insertInto('system_logs').values({ time: new Date().toISOString(), level: 'info', level_num: 30, msg: marker, context: null, request_id: null }).execute();
        });
        written++;
        if (written % 20 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const atStart = written;
    const m = await c.ctx.backups.service.create({ label: 'under load' });
    const atBackup = written;
    expect(atBackup, 'writes went on during the backup').toBeGreaterThan(atStart);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await writer;
    expect(written).toBeGreaterThan(atBackup);

    const contents = tableContents(fileOf(c, m.id));
    const pairs = (rows: string[], col: number) => new Set(rows.map((r) => (JSON.parse(r) as string[])[col]).filter((x) => x?.startsWith('pair-')));
    const attempts = pairs(contents['login_attempts']!, 1);
    const logs = pairs(contents['system_logs']!, 4);
    expect(attempts.size).toBeGreaterThan(0);
    expect(attempts).toEqual(logs);
    expect(m.row_counts['login_attempts']).toBe(contents['login_attempts']!.length);

    const r = await c.ctx.backups.service.restore(m.id);
    expect(r.row_counts).toEqual(m.row_counts);
    const after = await c.ctx.backups.service.create({ label: 'after restore' });
    expect(compared(tableContents(fileOf(c, after.id), ignoreRestoreLog))).toEqual(compared(contents));
    // Row counts per table equal the backup's, checked in the database itself.
    for (const table of COMPARED) {
      const n = m.row_counts[table];
      if (table === 'system_logs') continue;
      const row = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
      expect(Number(row.rows[0]!.n), table).toBe(n);
    }
    // And the platform keeps writing after it: ids continue past the restored ones.
    await db.insertInto('login_attempts').values({ username: 'after', ip: '::1', succeeded: 1, reason: null, created_at: new Date().toISOString() }).execute();
  });
});

describe('leases (which running instance does what)', () => {
  it('are not in a backup, and a restore keeps the live ones', async () => {
    const c = await platform();
    const leases = createLeasesRepository(c.ctx.db);
    expect(await leases.tryAcquire('job', 'instance-1', 60_000)).toEqual({ acquired: true });
    const m = await c.ctx.backups.service.create({ label: 'with a lease' });
    expect(Object.keys(tableContents(fileOf(c, m.id)))).not.toContain('leases');
    await leases.release('job', 'instance-1');
    expect(await leases.tryAcquire('job', 'instance-2', 60_000)).toEqual({ acquired: true });
    await c.ctx.backups.service.restore(m.id);
    expect(await leases.holderOf('job')).toBe('instance-2');
  });
});

describe('the logs\' counts behind GET /logs/stats', () => {
  it('are not in a backup: a restore counts the restored rows again', async () => {
    const c = await platform();
    await seed(c);
    const traffic = createTrafficRepository(c.ctx.db);
    const row = (server: string, outcome: 'ok' | 'error') => ({ time: new Date().toISOString(), server, outcome, direction: 'in' as const, size: 2, payload: '{}', caller: null, session_id: null, method: 'tools/call', jsonrpc_id: '1', duration_ms: 3, error_code: null });
    await traffic.insertBatch([row('files', 'ok'), row('files', 'error')]);
    const m = await c.ctx.backups.service.create();
    expect(Object.keys(tableContents(fileOf(c, m.id)))).not.toContain('log_counts');
    await traffic.insertBatch([row('later', 'ok')]);
    await c.ctx.backups.service.restore(m.id, { safety: false });
    const { rollup, scan } = await rollupAndScan(c.ctx.db);
    expect(rollup).toEqual(scan);
    expect(rollup.filter((r) => r.type === 'mcp').map((r) => [r.server, r.key, r.count])).toEqual([['files', 'error', 1], ['files', 'none', 1], ['files', 'ok', 1]]);
  });
});

describe('a backup from an older schema', () => {
  it('restores into today\'s tables: tables added since are emptied, and the answer says so', async () => {
    const c = await platform();
    await seed(c);
    const m = await c.ctx.backups.service.create();
    // The same data as if written before 003-servers existed.
    const lines = backupLines(fileOf(c, m.id));
    const header = JSON.parse(lines[0]!);
    header.migrations = header.migrations.filter((x: string) => x < '003-servers');
    header.schema_version = header.migrations.at(-1);
    header.tables = header.tables.filter((t: { name: string }) => t.name !== 'servers');
    lines[0] = JSON.stringify(header);
    const start = lines.indexOf('{"table":"servers"}');
    const end = lines.findIndex((l) => l.startsWith('{"end":"servers"'));
    lines.splice(start, end - start + 1);
    const trailer = JSON.parse(lines.at(-1)!);
    delete trailer.row_counts.servers;
    lines[lines.length - 1] = JSON.stringify(trailer);
    const old = await c.ctx.backups.service.import(Readable.from(rebuildBackup(lines)), { label: 'older' });
    expect(old.schema_version).toBe('002-secrets');

    const r = await c.ctx.backups.service.restore(old.id, { safety: false });
    expect(r.notes).toEqual([`backup schema 002-secrets restored into schema ${Object.keys(migrations).sort().at(-1)}`]);
    expect(await c.ctx.db.selectFrom('servers').selectAll().execute()).toEqual([]);
    expect((await c.ctx.secrets.reveal('API_TOKEN', { reason: 'test' }, cli)).value).toBe('tok-second-plain');
    // Its logs are counted (a backup older than 024-log-counts has no counts at all).
    const { rollup, scan } = await rollupAndScan(c.ctx.db);
    expect(rollup).toEqual(scan);
    expect(rollup.some((r) => r.type === 'mcp' && r.server === 'files')).toBe(true);
  });
});

describe.skipIf(!needs('postgres'))('moving between SQLite and PostgreSQL', () => {
  it('SQLite -> PostgreSQL -> SQLite gives the same rows, and secrets stay readable with the same master key', async () => {
    const source = await platform('sqlite');
    await seed(source);
    const first = await source.ctx.backups.service.create();

    const pgc = await platform('postgres');
    const inPg = await pgc.ctx.backups.service.import(Readable.from(fileOf(source, first.id)));
    const r1 = await pgc.ctx.backups.service.restore(inPg.id, { safety: false });
    expect(r1.row_counts).toEqual(first.row_counts);
    const fromPg = await pgc.ctx.backups.service.create();
    // (Reading a secret writes last_used_at and an audit row, so only after the backup.)
    expect((await pgc.ctx.secrets.reveal('API_TOKEN', { reason: 'test' }, cli)).value).toBe('tok-second-plain');
    expect((await pgc.ctx.secrets.reveal('API_TOKEN', { version: 1, reason: 'test' }, cli)).value).toBe('tok-\u00e9\u4e2d-plain');
    expect(fromPg.source_dialect).toBe('postgres');
    // The PostgreSQL sequences moved past the restored ids.
    await pgc.ctx.db.insertInto('login_attempts').values({ username: 'seq', ip: '::1', succeeded: 1, reason: null, created_at: new Date().toISOString() }).execute();

    const back = await platform('sqlite');
    const inSqlite = await back.ctx.backups.service.import(Readable.from(fileOf(pgc, fromPg.id)));
    await back.ctx.backups.service.restore(inSqlite.id, { safety: false });
    const last = await back.ctx.backups.service.create();

    expect(compared(tableContents(fileOf(back, last.id), ignoreRestoreLog))).toEqual(compared(tableContents(fileOf(source, first.id), ignoreRestoreLog)));
    const counts = (m: { row_counts: Record<string, number> }) => COMPARED.filter((t) => t !== 'system_logs').map((t) => m.row_counts[t]);
    expect(counts(last)).toEqual(counts(first));
    expect((await back.ctx.secrets.reveal('API_TOKEN', { reason: 'test' }, cli)).value).toBe('tok-second-plain');
    expect((await back.ctx.users.list(50)).items.map((u: { username: string }) => u.username).sort()).toEqual(['admin', 'zoë']);
  });

  it('maps column types across dialects: booleans, binary, JSON, timestamps, floats, identity ids', async () => {
    const pgTable = sql`create table extra_kinds (id int generated always as identity primary key, flag boolean not null, data bytea, doc jsonb, at timestamptz, amount double precision)`;
    const a = await platform('postgres');
    await pgTable.execute(a.ctx.db);
    await sql`insert into extra_kinds (flag, data, doc, at, amount) values (true, '\\x00ff'::bytea, '{"a":[1,"b"]}', '2026-11-29T01:02:03.456Z', 1.5), (false, null, null, null, null)`.execute(a.ctx.db);
    const fromPg = await a.ctx.backups.service.create();

    const b = await platform('sqlite');
    await sql`create table extra_kinds (id integer primary key, flag integer not null, data blob, doc text, at text, amount real)`.execute(b.ctx.db);
    await b.ctx.backups.service.restore((await b.ctx.backups.service.import(Readable.from(fileOf(a, fromPg.id)))).id, { safety: false });
    const inSqlite = await sql<Record<string, unknown>>`select * from extra_kinds order by id`.execute(b.ctx.db);
    expect(inSqlite.rows).toEqual([
      { id: 1, flag: 1, data: Buffer.from([0, 255]), doc: '{"a":[1,"b"]}', at: '2026-11-29T01:02:03.456Z', amount: 1.5 },
      { id: 2, flag: 0, data: null, doc: null, at: null, amount: null },
    ]);
    const fromSqlite = await b.ctx.backups.service.create();

    const c = await platform('postgres');
    await pgTable.execute(c.ctx.db);
    await c.ctx.backups.service.restore((await c.ctx.backups.service.import(Readable.from(fileOf(b, fromSqlite.id)))).id, { safety: false });
    const back = await sql<Record<string, unknown>>`select * from extra_kinds order by id`.execute(c.ctx.db);
    expect(back.rows).toEqual([
      { id: 1, flag: true, data: Buffer.from([0, 255]), doc: { a: [1, 'b'] }, at: new Date('2026-11-29T01:02:03.456Z'), amount: 1.5 },
      { id: 2, flag: false, data: null, doc: null, at: null, amount: null },
    ]);
    // The identity moved past the restored ids.
    const next = await sql<{ id: number }>`insert into extra_kinds (flag) values (true) returning id`.execute(c.ctx.db);
    expect(next.rows[0]!.id).toBe(3);
  });

  it('only one instance takes the scheduled backup at a time (PostgreSQL advisory lock)', async () => {
    const a = await platform('postgres');
    const { openPostgresSnapshot } = await import('./postgres-snapshot.js');
    const held = await openPostgresSnapshot(a.ctx.db, { exclusive: true });
    expect(held).not.toBeNull();
    try {
      expect(await a.ctx.backups.service.createScheduled()).toBeNull();
    } finally {
      await held!.close();
    }
    expect(await a.ctx.backups.service.createScheduled()).toMatchObject({ kind: 'scheduled' });
  });

  it("a platform on another database or schema of the same PostgreSQL server is not blocked by this one's backup", async () => {
    // (Test databases are schemas of one database: test/helpers/test-db.ts.)
    const a = await platform('postgres');
    const b = await platform('postgres');
    const { openPostgresSnapshot } = await import('./postgres-snapshot.js');
    const held = await openPostgresSnapshot(a.ctx.db, { exclusive: true });
    expect(held).not.toBeNull();
    try {
      expect(await b.ctx.backups.service.createScheduled()).toMatchObject({ kind: 'scheduled' });
    } finally {
      await held!.close();
    }
  });
});
