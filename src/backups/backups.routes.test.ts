import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { backupLines, rebuildBackup } from '../../test/helpers/backup-file.js';

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await createTestApp({ BACKUP_MAX_EXPANDED_MB: '2', BACKUP_MAX_UPLOAD_MB: '1', BACKUP_SCHEDULE: 'off' });
  admin = await t.login();
});
afterAll(async () => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const api = (method: Method, url: string, payload?: unknown, headers = admin) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const upload = (body: Buffer | string, query = '', contentType = 'application/gzip', headers = admin) =>
  t.app.inject({ method: 'POST', url: `/api/v1/system/backups/upload${query}`, headers: { ...headers, 'content-type': contentType }, payload: body });
const usernames = async () => (await t.ctx.db.selectFrom('users').select('username').orderBy('username').execute()).map((u) => u.username);
const reveal = async (name: string) => (await api('POST', `/secrets/${name}/reveal`, { reason: 'test' })).json().value as string;

describe('backups over REST', () => {
  let first: { id: string; sha256: string; row_counts: Record<string, number> };

  it('backs up, then a restore brings back exactly the data of the backup', async () => {
    expect((await api('POST', '/users', { username: 'alice', password: 'alice-password-1', role: 'operator' })).statusCode).toBe(201);
    expect((await api('POST', '/secrets', { name: 'DB_PASSWORD', value: 'plaintext-hunter2-value' })).statusCode).toBe(201);
    expect((await api('POST', '/tools', { name: 'echo', transport: 'stdio', command: 'node', args: ['x.js'] })).statusCode).toBe(201);

    const created = await api('POST', '/system/backups', { label: 'before the change' });
    expect(created.statusCode).toBe(201);
    first = created.json();
    expect(created.json()).toMatchObject({ kind: 'manual', label: 'before the change', format: 'mcps-backup', format_version: 1, schema_version: expect.any(String) });
    expect(first.row_counts).toMatchObject({ users: 2, secrets: 1, secret_versions: 1, servers: 1 });
    expect(first.sha256).toMatch(/^[a-f0-9]{64}$/);

    // More data after the backup.
    expect((await api('POST', '/users', { username: 'bob', password: 'bob-password-12', role: 'viewer' })).statusCode).toBe(201);
    const keyAfter = (await api('POST', '/auth/api-keys', { name: 'made-after-the-backup', role: 'viewer' })).json().key as string;
    const withKey = { authorization: `Bearer ${keyAfter}` };
    expect((await api('GET', '/auth/me', undefined, withKey)).statusCode).toBe(200);
    expect((await api('PUT', '/secrets/DB_PASSWORD', { value: 'second-value-xyz' })).statusCode).toBe(200);
    expect((await api('DELETE', '/tools/echo')).statusCode).toBe(204);
    expect(await usernames()).toEqual(['admin', 'alice', 'bob']);

    const restored = await api('POST', `/system/backups/${first.id}/restore`, {});
    expect(restored.statusCode).toBe(200);
    expect(restored.json().restored.id).toBe(first.id);
    expect(restored.json().safety).toMatchObject({ kind: 'safety', label: `before restoring ${first.id}` });
    expect(restored.json().row_counts.users).toBe(2);

    expect(await usernames()).toEqual(['admin', 'alice']);
    // The key made after the backup is not in it: refused on the next request, though verified (and cached) before.
    expect((await api('GET', '/auth/me', undefined, withKey)).statusCode).toBe(401);
    expect(await reveal('DB_PASSWORD')).toBe('plaintext-hunter2-value');
    expect((await api('GET', '/tools/echo')).statusCode).toBe(200);
    // The restore is in the operation log (written after the restore, so it stays).
    const ops = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'backup.restore').execute();
    expect(ops).toEqual([expect.objectContaining({ outcome: 'success', target_id: first.id, actor_name: 'admin' })]);

    // The safety backup holds the data as it was just before: restore it, and bob is back.
    const back = await api('POST', `/system/backups/${restored.json().safety.id}/restore`, { safety_backup: false });
    expect(back.statusCode).toBe(200);
    expect(back.json().safety).toBeNull();
    expect(await usernames()).toEqual(['admin', 'alice', 'bob']);
    expect(await reveal('DB_PASSWORD')).toBe('second-value-xyz');
    // Sequences and ids keep working after a restore.
    expect((await api('POST', '/users', { username: 'carol', password: 'carol-password-1', role: 'viewer' })).statusCode).toBe(201);
  });

  it('keeps secrets as ciphertext: the plaintext is nowhere in the decompressed file', async () => {
    const res = await api('GET', `/system/backups/${first.id}/download`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['x-backup-sha256']).toBe(first.sha256);
    const text = gunzipSync(res.rawPayload).toString('utf8');
    expect(text).toContain('DB_PASSWORD');
    expect(text).not.toContain('plaintext-hunter2-value');
    expect(text).not.toContain('alice-password-1');
  });

  it('lists, shows a manifest, verifies, deletes', async () => {
    const list = await api('GET', '/system/backups');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((m: { id: string }) => m.id)).toContain(first.id);
    expect(list.json().schedule).toEqual({ schedule: null, next_run: null, keep_count: 7, keep_days: 30 });
    expect((await api('GET', `/system/backups/${first.id}`)).json()).toMatchObject({ id: first.id, sha256: first.sha256 });
    expect((await api('POST', `/system/backups/${first.id}/verify`)).statusCode).toBe(200);

    const extra = (await api('POST', '/system/backups')).json();
    expect((await api('DELETE', `/system/backups/${extra.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/system/backups/${extra.id}`)).statusCode).toBe(404);
    expect((await api('GET', '/system/backups/..%2F..%2Fetc%2Fpasswd')).json()).toMatchObject({ status: 400, code: 'validation' });
    expect((await api('POST', '/system/backups/mcps-20200101T000000Z-00000000/restore', {})).statusCode).toBe(404);
  });

  it('takes back a downloaded backup by upload', async () => {
    const file = (await api('GET', `/system/backups/${first.id}/download`)).rawPayload;
    const res = await upload(file, `?label=from-elsewhere&sha256=${first.sha256}`);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'upload', label: 'from-elsewhere', sha256: first.sha256, row_counts: first.row_counts });
    expect(res.json().id).not.toBe(first.id);
  });

  it('keeps serving while a restore runs: requests made meanwhile wait for it and succeed', async () => {
    const restoring = api('POST', `/system/backups/${first.id}/restore`, { safety_backup: false });
    const meanwhile = await Promise.all([
      ...Array.from({ length: 5 }, () => api('GET', '/auth/me')),
      api('GET', '/system/health'),
      api('GET', '/system/backups'),
    ]);
    expect((await restoring).statusCode).toBe(200);
    expect(meanwhile.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(await usernames()).toEqual(['admin', 'alice']);
  });

  it('a restore puts the backup\'s runtime settings in force at once (not only in the table)', async () => {
    const retries = async () => (await api('GET', '/system/config')).json<{ runtime: { key: string; value: unknown }[] }>().runtime.find((r) => r.key === 'mcp.max_retries')?.value;
    expect((await api('PUT', '/system/config', { 'mcp.max_retries': 7 })).statusCode).toBe(200);
    const backup = (await api('POST', '/system/backups', { label: 'retries 7' })).json<{ id: string }>();
    expect((await api('PUT', '/system/config', { 'mcp.max_retries': 9 })).statusCode).toBe(200);
    expect((await api('POST', `/system/backups/${backup.id}/restore`, { safety_backup: false })).statusCode).toBe(200);
    expect(await retries()).toBe(7);
  });

  it('enforces roles: operators list and verify; only admins create, download, upload, restore, delete', async () => {
    const operator = await t.as('operator');
    const viewer = await t.as('viewer');
    expect((await api('GET', '/system/backups', undefined, operator)).statusCode).toBe(200);
    expect((await api('GET', `/system/backups/${first.id}`, undefined, operator)).statusCode).toBe(200);
    expect((await api('GET', '/system/backups', undefined, viewer)).statusCode).toBe(403);
    for (const [method, url] of [
      ['POST', '/system/backups'],
      ['GET', `/system/backups/${first.id}/download`],
      ['POST', `/system/backups/${first.id}/restore`],
      ['DELETE', `/system/backups/${first.id}`],
    ] as const) {
      const res = await api(method, url, method === 'POST' ? {} : undefined, operator);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await upload(Buffer.from('x'), '', 'application/gzip', operator)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/system/backups' })).statusCode).toBe(401);
  });
});

describe('hostile uploads are refused with nothing changed', () => {
  let good: Buffer;
  let before: { users: string[]; backups: string[] };
  const state = async () => ({ users: await usernames(), backups: (await api('GET', '/system/backups')).json().items.map((m: { id: string }) => m.id) as string[] });

  beforeAll(async () => {
    const m = (await api('POST', '/system/backups')).json();
    good = (await api('GET', `/system/backups/${m.id}/download`)).rawPayload;
    before = await state();
  });

  const refused = async (body: Buffer | string, status: number, detail: RegExp, query = '', type = 'application/gzip') => {
    const res = await upload(body, query, type);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toMatch(detail);
    expect(await state()).toEqual(before);
    expect((await api('GET', '/system/health')).statusCode).toBe(200);
  };

  it('truncated', () => refused(good.subarray(0, Math.floor(good.length * 0.6)), 422, /truncated|gzip/));
  it('truncated at a line boundary (trailer missing)', () => refused(gzipSync(backupLines(good).slice(0, -1).join('\n') + '\n'), 422, /trailer is missing/));
  it('a decompression bomb', () => refused(gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)), 422, /expands to more than/));
  it('a checksum that does not match', () => {
    const lines = backupLines(good);
    const i = lines.findIndex((l) => l.includes('"admin"'));
    lines[i] = lines[i]!.replace('"admin"', '"root"');
    return refused(gzipSync(lines.join('\n') + '\n'), 422, /checksum mismatch/);
  });
  it('a sha256 query that does not match the file', () => refused(good, 422, /checksum mismatch/, `?sha256=${'0'.repeat(64)}`));
  it('a newer schema', () => {
    const lines = backupLines(good);
    const header = JSON.parse(lines[0]!);
    header.migrations.push('999-from-the-future');
    header.schema_version = '999-from-the-future';
    lines[0] = JSON.stringify(header);
    return refused(rebuildBackup(lines), 409, /newer schema/);
  });
  it('a table this database lacks', () => {
    const lines = backupLines(good);
    const header = JSON.parse(lines[0]!);
    header.tables.push({ name: 'evil', columns: ['x'], types: ['text'] });
    lines[0] = JSON.stringify(header);
    lines.splice(-1, 0, '{"table":"evil"}', '["x"]', '{"end":"evil","rows":1}');
    return refused(rebuildBackup(lines), 409, /table this database lacks/);
  });
  it('a row that does not fit its table', () => {
    const lines = backupLines(good);
    const i = lines.findIndex((l) => l.startsWith('['));
    lines[i] = '["only-one-value"]';
    return refused(rebuildBackup(lines), 422, /does not match its/);
  });
  it('garbage', () => refused(randomBytes(4096), 422, /gzip/));
  it('gzip of something else', () => refused(gzipSync('hello world\n'), 422, /not a backup file/));
  it('empty', () => refused(Buffer.alloc(0), 400, /empty/));
  it('larger than BACKUP_MAX_UPLOAD_MB', () => refused(randomBytes(1024 * 1024 + 10), 413, /larger than/));
  it('larger than BACKUP_MAX_UPLOAD_MB over a real connection: the client reads the 413 (not a reset), and the connection serves on', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const agent = new Agent({ connections: 1 });
    try {
      const res = await request(`${url}/api/v1/system/backups/upload`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/gzip' },
        body: randomBytes(3 * 1024 * 1024),
        dispatcher: agent,
      });
      expect(res.statusCode).toBe(413);
      expect(((await res.body.json()) as { detail: string }).detail).toMatch(/larger than/);
      const next = await request(`${url}/api/v1/system/health`, { dispatcher: agent });
      expect(next.statusCode).toBe(200);
      await next.body.dump();
      expect(await state()).toEqual(before);
    } finally {
      await agent.close();
    }
  });
  it('not a file body', () => refused(JSON.stringify({ a: 1 }), 415, /content-type application\/gzip/, '', 'application/json'));
});
