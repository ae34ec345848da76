import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createTestContext } from '../../test/helpers/test-context.js';

const KEY_1 = randomBytes(32).toString('base64');
const KEY_2 = randomBytes(32).toString('base64');

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await createTestApp({ MCPS_MASTER_KEY: KEY_1 });
  admin = await t.login();
});
afterAll(async () => t.close());

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = admin) =>
  t.app.inject({ method, url: `/api/v1/secrets${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const create = async (name: string, value: string) => {
  const res = await inject('POST', '', { name, value });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>();
};
const operationRows = (requestId: string) => t.ctx.db.selectFrom('operation_logs').selectAll().where('request_id', '=', requestId).execute();

describe('bad input', () => {
  it.each([
    ['a path', 'etc/passwd'],
    ['a parent reference', '..secret'],
    ['a backslash', 'a\\b'],
    ['a NUL', 'bad\u0000name'],
    ['a newline', 'bad\nname'],
    ['an escape sequence', 'bad\u001b[31m'],
    ['a leading digit', '1ABC'],
    ['a reference character', 'A}B'],
  ])('refuses a name with %s (400, the name is not echoed)', async (_, name) => {
    const res = await inject('POST', '', { name, value: 'v' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation', detail: expect.stringMatching(/^body\.name: secret name /) });
    expect(res.json().detail).not.toContain(name);
  });

  it.each(['..%2Fetc%2Fpasswd', 'a%00b', 'a%0Ab', 'a..b', 'a%5Cb'])('refuses %s as a path parameter with 400', async (raw) => {
    const res = await inject('POST', `/${raw}/reveal`, { reason: 'probe' });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/^params\.name: secret name /);
  });

  it('refuses a value over 64 KiB with 413 and an empty one with 400, never echoing the value', async () => {
    const big = await inject('POST', '', { name: 'TOO_BIG', value: 'B'.repeat(64 * 1024 + 1) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'payload_too_large', detail: 'Secret value must be at most 65536 bytes (got 65537)' });
    await create('SIZED', 'small');
    expect((await inject('PUT', '/SIZED', { value: 'é'.repeat(32 * 1024 + 1) })).statusCode).toBe(413);
    expect((await inject('PUT', '/SIZED', { value: '' })).statusCode).toBe(400);
    expect((await inject('POST', '', { name: 'EXACT', value: 'E'.repeat(64 * 1024) })).statusCode).toBe(201);
  });
});

describe('permissions', () => {
  it('viewer cannot list (403); operator lists and reads metadata but cannot reveal or write (403); refusals are audited', async () => {
    await create('PERM_SECRET', 'perm-value');
    const viewer = await t.as('viewer');
    expect((await inject('GET', '', undefined, viewer)).statusCode).toBe(403);
    expect((await inject('GET', '/PERM_SECRET', undefined, viewer)).statusCode).toBe(403);

    const operator = await t.as('operator');
    const list = await inject('GET', '', undefined, operator);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((s: { name: string }) => s.name)).toContain('PERM_SECRET');
    expect((await inject('GET', '/PERM_SECRET', undefined, operator)).statusCode).toBe(200);
    const denied = await inject('POST', '/PERM_SECRET/reveal', { reason: 'curious' }, operator);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toBe("role 'operator' lacks permission 'secrets:reveal'");
    expect(denied.body).not.toContain('perm-value');
    expect((await inject('PUT', '/PERM_SECRET', { value: 'x' }, operator)).statusCode).toBe(403);
    expect((await inject('POST', '/PERM_SECRET/rotate', { reason: 'x' }, operator)).statusCode).toBe(403);
    expect((await inject('DELETE', '/PERM_SECRET', undefined, operator)).statusCode).toBe(403);

    const rows = await operationRows(String(denied.headers['x-request-id']));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'secret.reveal', outcome: 'failure', status_code: 403, target_id: 'PERM_SECRET', actor_type: 'user' });
  });

  it('the service applies the same matrix to a principal (for MCP tools)', async () => {
    const { principalCaller } = await import('./secret-caller.js');
    const operator = { type: 'user' as const, id: 'u1', name: 'op', role: 'operator' as const, userId: 'u1' };
    await expect(t.ctx.secrets.reveal('PERM_SECRET', { reason: 'mcp' }, principalCaller(operator))).rejects.toThrow(/lacks permission 'secrets:reveal'/);
    await expect(t.ctx.secrets.list({ limit: 5 }, principalCaller(operator))).resolves.toHaveProperty('items');
    await expect(t.ctx.secrets.list({ limit: 5 }, principalCaller({ ...operator, role: 'viewer' }))).rejects.toThrow(/lacks permission 'secrets:read'/);
  });
});

describe('audit of reads', () => {
  it('reveal needs a reason and records who, why and which version, in exactly one row', async () => {
    await create('AUDITED', 'audited-value');
    const noReason = await inject('POST', '/AUDITED/reveal', {});
    expect(noReason.statusCode).toBe(400);
    expect((await inject('POST', '/AUDITED/reveal', { reason: '   ' })).statusCode).toBe(400);

    const res = await inject('POST', '/AUDITED/reveal', { reason: 'incident 42: check the token' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'AUDITED', version: 1, value: 'audited-value' });
    const rows = await operationRows(String(res.headers['x-request-id']));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'secret.reveal', outcome: 'success', actor_name: 'admin', target_type: 'secret', target_id: 'AUDITED' });
    expect(JSON.parse(rows[0]!.details!)).toEqual({ reason: 'incident 42: check the token', version: 1 });
  });
});

describe('master key and stored data', () => {
  it('a wrong master key fails with a clear error naming the key version; counted, audited; both instances keep serving', async () => {
    await create('KEYED', 'keyed-value');
    const other = await createTestContext(t.database.url, { MCPS_MASTER_KEY: KEY_2 });
    try {
      const app = await other.app();
      const headers = await other.login();
      const res = await app.inject({ method: 'POST', url: '/api/v1/secrets/KEYED/reveal', headers, payload: { reason: 'wrong key' } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({
        code: 'internal',
        detail: "Secret 'KEYED' version 1 cannot be decrypted: decryption failed (wrong master key v1 or tampered data)",
        secret: 'KEYED',
        version: 1,
        kek_version: 'v1',
      });
      expect(res.body).not.toContain('keyed-value');
      expect(other.ctx.secrets.cryptoFailures()).toEqual({ total: 1, unknown_kek_version: 0, decryption_failed: 1 });
      const rows = await operationRows(String(res.headers['x-request-id']));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'secret.reveal', outcome: 'failure', status_code: 500 });
      expect(JSON.parse(rows[0]!.details!)).toMatchObject({ kek_version: 'v1', crypto_error: 'decryption_failed', error: 'internal' });

      await expect(other.ctx.secrets.resolve('${secret:KEYED}')).rejects.toThrow(/master key v1/);
      expect(other.ctx.secrets.cryptoFailures().total).toBe(2);
      expect((await app.inject({ url: '/api/v1/secrets', headers })).statusCode).toBe(200);
      expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
      expect((await inject('POST', '/KEYED/reveal', { reason: 'right key' })).json().value).toBe('keyed-value');
    } finally {
      await other.dispose();
    }
  });

  it('refuses a bit flipped in any stored field, an AAD swap between rows and a renamed row: counted and audited', async () => {
    const before = t.ctx.secrets.cryptoFailures().total;
    const flipFirst = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const cases: [string, (row: Record<string, string>) => Record<string, string>, RegExp][] = [
      ['kek_version', () => ({ kek_version: 'v9' }), /unknown master key version v9/],
      ['wrapped_dek', (r) => ({ wrapped_dek: flipFirst(r['wrapped_dek']!) }), /master key v1/],
      ['nonce', (r) => ({ nonce: flipFirst(r['nonce']!) }), /master key v1/],
      ['tag', (r) => ({ tag: flipFirst(r['tag']!) }), /master key v1/],
      ['ciphertext', (r) => ({ ciphertext: flipFirst(r['ciphertext']!) }), /master key v1/],
    ];
    for (const [field, change, message] of cases) {
      const name = `TAMPER_${field.toUpperCase()}`;
      const { id } = await create(name, `tamper-${field}`);
      const row = await t.ctx.db.selectFrom('secret_versions').selectAll().where('secret_id', '=', id).executeTakeFirstOrThrow();
      await t.ctx.db.updateTable('secret_versions').set(change(row as unknown as Record<string, string>)).where('secret_id', '=', id).execute();
      const res = await inject('POST', `/${name}/reveal`, { reason: 'tamper test' });
      expect(res.statusCode, field).toBe(500);
      expect(res.json().detail, field).toMatch(message);
      expect(res.json().detail, field).toContain(`Secret '${name}' version 1 cannot be decrypted`);
      expect(res.body).not.toContain(`tamper-${field}`);
    }

    // The ciphertext of one row copied onto another (same master key) does not decrypt there.
    const a = await create('SWAP_A', 'swap-a-value');
    const b = await create('SWAP_B', 'swap-b-value');
    const rowA = await t.ctx.db.selectFrom('secret_versions').select(['kek_version', 'wrapped_dek', 'nonce', 'tag', 'ciphertext']).where('secret_id', '=', a.id).executeTakeFirstOrThrow();
    await t.ctx.db.updateTable('secret_versions').set(rowA).where('secret_id', '=', b.id).execute();
    expect((await inject('POST', '/SWAP_B/reveal', { reason: 'swap' })).statusCode).toBe(500);
    // Renaming a row (the name is bound in) makes it unreadable too.
    await t.ctx.db.updateTable('secrets').set({ name: 'SWAP_RENAMED' }).where('id', '=', a.id).execute();
    expect((await inject('POST', '/SWAP_RENAMED/reveal', { reason: 'rename' })).statusCode).toBe(500);

    expect(t.ctx.secrets.cryptoFailures().total - before).toBe(cases.length + 2);
    const failures = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'secret.reveal').where('outcome', '=', 'failure').where('status_code', '=', 500).execute();
    expect(failures.map((r) => r.target_id)).toEqual(expect.arrayContaining([...cases.map(([f]) => `TAMPER_${f.toUpperCase()}`), 'SWAP_B', 'SWAP_RENAMED']));
    expect((await inject('GET', '')).statusCode).toBe(200);
  });
});
