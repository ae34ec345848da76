import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { sqlitePathOf } from '../config.js';
import { connect } from '../db/connect.js';

/** Columns allowed to hold (encrypted) value material; everything else is checked. */
const CIPHERTEXT_COLUMNS = new Set(['secret_versions.wrapped_dek', 'secret_versions.ciphertext', 'secret_versions.nonce', 'secret_versions.tag']);
const CANARY = `canary-${randomBytes(6).toString('hex')}-must-not-leak`;

let database: TestDatabase;
let tc: TestContext;
beforeAll(async () => {
  database = await createTestDatabase();
  tc = await createTestContext(database.url, {}, { logLevel: 'debug' });
});
afterAll(async () => {
  await tc.dispose();
  await database.drop();
});

/** Every file under `dir`, recursively (symlinks followed only as files). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('canary: a secret value never leaves the moment of use', () => {
  it('written through create, update, rotate, a reference and a failed reference, it is in no log, no plain column, no response but reveal', async () => {
    const app = await tc.app();
    const admin = await tc.login();
    const responses: string[] = [];
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = admin) => {
      const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      responses.push(`${res.statusCode} ${JSON.stringify(res.headers)} ${res.body}`);
      return res;
    };

    expect((await call('POST', '/api/v1/secrets', { name: 'CANARY', value: CANARY, description: 'canary', tags: ['test'] })).statusCode).toBe(201);
    expect((await call('PUT', '/api/v1/secrets/CANARY', { value: `${CANARY}-v2` })).statusCode).toBe(200);
    expect((await call('PUT', '/api/v1/secrets/CANARY', { value: `${CANARY}-stale`, cas: 1 })).statusCode).toBe(409);
    expect((await call('POST', '/api/v1/secrets/CANARY/rotate', { value: `${CANARY}-v3`, reason: 'canary rotation' })).statusCode).toBe(200);
    // Failed writes carrying the value: too large, bad name, misspelt field, wrong type, malformed JSON.
    expect((await call('PUT', '/api/v1/secrets/CANARY', { value: CANARY + 'x'.repeat(70_000) })).statusCode).toBe(413);
    expect((await call('POST', '/api/v1/secrets', { name: 'bad/name', value: CANARY })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/secrets', { name: 'TYPO_FIELD', valeu: CANARY })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/secrets/CANARY/rotate', { value: [CANARY], reason: 'wrong type' })).statusCode).toBe(400);
    const malformed = await app.inject({ method: 'PUT', url: '/api/v1/secrets/CANARY', headers: { ...admin, 'content-type': 'application/json' }, payload: `{"value": "${CANARY}"` });
    responses.push(malformed.body);
    expect(malformed.statusCode).toBe(400);
    // An operator's refused reveal.
    await tc.ctx.users.create({ username: 'canary-operator', password: 'canary-operator-pw', role: 'operator' });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'canary-operator', password: 'canary-operator-pw' } });
    const operator = { authorization: `Bearer ${login.json().access_token}` };
    expect((await call('POST', '/api/v1/secrets/CANARY/reveal', { reason: 'not allowed' }, operator)).statusCode).toBe(403);

    // The explicit read is the one response allowed to carry it.
    const revealed = await app.inject({ method: 'POST', url: '/api/v1/secrets/CANARY/reveal', headers: admin, payload: { reason: 'canary check' } });
    expect(revealed.json().value).toBe(`${CANARY}-v3`);

    // Use by reference, and a failed use.
    const resolved = await tc.ctx.secrets.resolveTracked({ env: { TOKEN: 'Bearer ${secret:CANARY}', OLD: '${secret:CANARY#2}' } }, { reason: 'server canary start' });
    expect(resolved.value).toEqual({ env: { TOKEN: `Bearer ${CANARY}-v3`, OLD: `${CANARY}-v2` } });
    const failed = await tc.ctx.secrets.resolve({ env: { A: '${secret:CANARY}', B: '${secret:MISSING_CANARY_PARTNER}' } }).catch((e: unknown) => e as Error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toContain('MISSING_CANARY_PARTNER');
    expect(JSON.stringify({ ...(failed as object), message: (failed as Error).message })).not.toContain(CANARY);

    // Everything an API client can list afterwards.
    for (const url of ['/api/v1/secrets', '/api/v1/secrets?include_deleted=true', '/api/v1/secrets/CANARY', '/api/v1/logs/operations?limit=500', '/api/v1/logs/system?limit=500', '/api/v1/logs/mcp'])
      expect((await call('GET', url)).statusCode).toBe(200);
    for (const r of responses) expect(r).not.toContain(CANARY);

    // Close: flushes the database log sink and the log file.
    await tc.close();

    const h = connect(database.url);
    let checkedCells = 0;
    try {
      const tables = await h.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['secrets', 'secret_versions', 'operation_logs', 'system_logs']));
      for (const table of tables) {
        const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(h.db)).rows;
        for (const row of rows)
          for (const [column, value] of Object.entries(row)) {
            if (CIPHERTEXT_COLUMNS.has(`${table.name}.${column}`) || value === null) continue;
            checkedCells++;
            expect(String(value), `${table.name}.${column}`).not.toContain(CANARY);
          }
      }
      const audit = await h.db.selectFrom('operation_logs').select(['action', 'outcome']).where('target_id', '=', 'CANARY').execute();
      expect(audit).toEqual(expect.arrayContaining([{ action: 'secret.resolve', outcome: 'success' }, { action: 'secret.reveal', outcome: 'success' }, { action: 'secret.update', outcome: 'failure' }]));
    } finally {
      await h.close();
    }
    expect(checkedCells).toBeGreaterThan(100);

    const logFiles = filesUnder(path.join(tc.dir, 'logs'));
    expect(logFiles.length).toBeGreaterThan(0);
    const logText = logFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(logText).toContain('"msg":"request"');
    expect(logText).not.toContain(CANARY);

    // With SQLite, the database files themselves (main file and WAL) hold only ciphertext.
    if (database.kind === 'sqlite') {
      const file = sqlitePathOf(database.url);
      for (const f of [file, `${file}-wal`].filter(existsSync)) expect(readFileSync(f).includes(CANARY), f).toBe(false);
    }
    for (const f of filesUnder(path.join(tc.dir, 'data'))) expect(readFileSync(f).includes(CANARY), f).toBe(false);
  });
});
