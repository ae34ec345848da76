import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { localCaller } from './secret-caller.js';
import { createSecretEvents, type SecretEventMap } from './secret-events.js';
import { createSecretsService } from './secrets.service.js';

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
});
afterAll(async () => t.close());

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1/secrets${url}`, headers: admin, ...(payload === undefined ? {} : { payload: payload as object }) });
const reveal = async (name: string, version?: number) => {
  const res = await api('POST', `/${name}/reveal`, { reason: 'test', ...(version ? { version } : {}) });
  return res.statusCode === 200 ? (res.json().value as string) : res;
};
const create = (name: string, value: string, extra: object = {}) => api('POST', '', { name, value, ...extra });
const operations = (target: string) => t.ctx.db.selectFrom('operation_logs').selectAll().where('target_id', '=', target).orderBy('id').execute();

describe('secrets REST round trip', () => {
  it('creates, lists, reads metadata, reveals, updates and reads any version', async () => {
    const events: string[] = [];
    const offCreated = t.ctx.secrets.events.on('secret.created', (e) => void events.push(`created ${e.name}#${e.version}`));
    const offUpdated = t.ctx.secrets.events.on('secret.updated', (e) => void events.push(`updated ${e.name}#${e.version}`));
    const created = await create('GITHUB_TOKEN', 'ghp_first', { description: 'CI token', tags: ['ci', 'github', 'ci'] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'GITHUB_TOKEN', current_version: 1, version_count: 1, description: 'CI token', tags: ['ci', 'github'], max_versions: 10 });
    expect(created.json().versions).toEqual([expect.objectContaining({ version: 1, state: 'current', kek_version: 'v1', created_by: 'admin' })]);
    expect(created.body).not.toContain('ghp_first');

    const updated = await api('PUT', '/GITHUB_TOKEN', { value: 'ghp_second' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ current_version: 2, version_count: 2 });
    expect(updated.body).not.toContain('ghp_second');

    expect(events).toEqual(['created GITHUB_TOKEN#1', 'updated GITHUB_TOKEN#2']);
    offCreated();
    offUpdated();
    expect(await reveal('GITHUB_TOKEN')).toBe('ghp_second');
    expect(await reveal('GITHUB_TOKEN', 1)).toBe('ghp_first');
    const detail = await api('GET', '/GITHUB_TOKEN');
    expect(detail.json().versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([[2, 'current'], [1, 'readable']]);
    expect(detail.json().last_used_at).not.toBeNull();
    expect((await api('POST', '/GITHUB_TOKEN/reveal', { reason: 'x', version: 9 })).json()).toMatchObject({ status: 404, detail: "Secret 'GITHUB_TOKEN' version 9 not found" });

    // Each call is one operation-log row, written by the service (no second row from the HTTP hook).
    const rows = await operations('GITHUB_TOKEN');
    expect(rows.map((r) => [r.action, r.outcome, r.actor_name])).toEqual([
      ['secret.create', 'success', 'admin'],
      ['secret.update', 'success', 'admin'],
      ['secret.reveal', 'success', 'admin'],
      ['secret.reveal', 'success', 'admin'],
      ['secret.reveal', 'failure', 'admin'],
    ]);
    expect(rows.every((r) => r.request_id !== null && r.ip !== null)).toBe(true);
  });

  it('lists metadata only, paginated by name, with the total', async () => {
    for (const n of ['LIST_A', 'LIST_B', 'LIST_C']) expect((await create(n, `value-of-${n}`)).statusCode).toBe(201);
    const first = await api('GET', '?limit=2');
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(2);
    expect(page1.total).toBeGreaterThanOrEqual(3);
    const all = [...page1.items];
    let cursor = page1.next_cursor;
    while (cursor) {
      const next = (await api('GET', `?limit=2&cursor=${cursor}`)).json();
      all.push(...next.items);
      cursor = next.next_cursor;
    }
    const names = all.map((s: { name: string }) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['LIST_A', 'LIST_B', 'LIST_C']));
    expect(all).toHaveLength(page1.total);
    expect(JSON.stringify(all)).not.toContain('value-of-');
    expect(all[0]).not.toHaveProperty('value');
  });

  it('check-and-set: a stale cas is 409; of two concurrent updates with the same cas exactly one wins', async () => {
    await create('CAS_SECRET', 'cas-1');
    expect((await api('PUT', '/CAS_SECRET', { value: 'cas-2', cas: 1 })).statusCode).toBe(200);
    const stale = await api('PUT', '/CAS_SECRET', { value: 'cas-x', cas: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().detail).toBe("Check-and-set failed: secret 'CAS_SECRET' is at version 2, not 1");

    const racers = await Promise.all([api('PUT', '/CAS_SECRET', { value: 'racer-a', cas: 2 }), api('PUT', '/CAS_SECRET', { value: 'racer-b', cas: 2 })]);
    expect(racers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner = racers.find((r) => r.statusCode === 200)!;
    expect(winner.json().current_version).toBe(3);
    expect(await reveal('CAS_SECRET')).toBe(racers[0]!.statusCode === 200 ? 'racer-a' : 'racer-b');

    // Without cas, concurrent writers all succeed, each on its own version.
    const free = await Promise.all([1, 2, 3].map((i) => api('PUT', '/CAS_SECRET', { value: `free-${i}` })));
    expect(free.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(free.map((r) => r.json().current_version).sort()).toEqual([4, 5, 6]);
  });

  it('rotates to a given or generated value, records why, tells listeners, keeps the previous version readable', async () => {
    const seen: SecretEventMap['secret.rotated'][] = [];
    const off = t.ctx.secrets.events.on('secret.rotated', (e) => void seen.push(e));
    await create('ROTATED', 'rotate-1');
    const given = await api('POST', '/ROTATED/rotate', { value: 'rotate-2', reason: 'leaked in a screenshot' });
    expect(given.statusCode).toBe(200);
    expect(given.json()).toMatchObject({ current_version: 2, rotation_reason: 'leaked in a screenshot', last_rotated_at: expect.any(String) });
    const previous = given.json().versions.find((v: { version: number }) => v.version === 1);
    expect(previous.state).toBe('readable');
    const window = Date.parse(previous.expires_at) - Date.now();
    expect(window).toBeGreaterThan(23.9 * 3600_000);
    expect(window).toBeLessThanOrEqual(24 * 3600_000);
    expect(await reveal('ROTATED', 1)).toBe('rotate-1');

    const generated = await api('POST', '/ROTATED/rotate', { generate: { length: 20, alphabet: 'hex' }, reason: 'scheduled' });
    expect(generated.statusCode).toBe(200);
    expect(await reveal('ROTATED')).toMatch(/^[0-9a-f]{20}$/);
    expect(await reveal('ROTATED', 2)).toBe('rotate-2');
    expect(seen).toEqual([
      { name: 'ROTATED', version: 2, reason: 'leaked in a screenshot' },
      { name: 'ROTATED', version: 3, reason: 'scheduled' },
    ]);
    off();

    expect((await api('POST', '/ROTATED/rotate', { value: 'x', generate: {}, reason: 'r' })).statusCode).toBe(400);
    expect((await api('POST', '/ROTATED/rotate', { value: 'x' })).statusCode).toBe(400);
    const audit = (await operations('ROTATED')).filter((r) => r.action === 'secret.rotate');
    expect(audit.map((r) => [r.outcome, r.details && JSON.parse(r.details)])).toEqual([
      ['success', expect.objectContaining({ reason: 'leaked in a screenshot', generated: false, version: 2 })],
      ['success', expect.objectContaining({ reason: 'scheduled', generated: true, version: 3 })],
      // Refused by the schema before the handler: recorded by the HTTP audit hook, without the body.
      ['failure', null],
      ['failure', null],
    ]);
  });

  it('a rotated-out version is refused after the overlap window and wiped at the next write', async () => {
    let clock = new Date('2030-01-01T00:00:00.000Z');
    const sut = createSecretsService({
      db: t.ctx.db,
      ring: t.config.masterKeyRing,
      audit: t.ctx.audit,
      config: { maxVersions: 10, overlapMs: 3600_000 },
      events: createSecretEvents(),
      now: () => clock,
    });
    const cli = localCaller('cli', 'test');
    await sut.create({ name: 'OVERLAP', value: 'old-value' }, cli);
    await sut.rotate('OVERLAP', { value: 'new-value', reason: 'test' }, cli);
    clock = new Date('2030-01-01T00:59:00.000Z');
    expect((await sut.reveal('OVERLAP', { version: 1, reason: 'within window' }, cli)).value).toBe('old-value');
    clock = new Date('2030-01-01T01:00:00.000Z');
    await expect(sut.reveal('OVERLAP', { version: 1, reason: 'too late' }, cli)).rejects.toThrow(/version 1 expired at 2030-01-01T01:00:00.000Z/);
    expect((await sut.get('OVERLAP', cli)).versions.map((v) => v.state)).toEqual(['current', 'expired']);

    clock = new Date('2030-01-01T02:00:00.000Z');
    await sut.update('OVERLAP', { value: 'newer-value' }, cli);
    const row = await t.ctx.db.selectFrom('secret_versions').selectAll().innerJoin('secrets', 'secrets.id', 'secret_versions.secret_id').where('secrets.name', '=', 'OVERLAP').where('version', '=', 1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ destroyed_at: '2030-01-01T02:00:00.000Z', ciphertext: null, wrapped_dek: null, nonce: null, tag: null });
  });

  it('keeps at most max_versions versions', async () => {
    await create('PRUNED', 'p-1', { max_versions: 2 });
    for (const v of ['p-2', 'p-3', 'p-4']) await api('PUT', '/PRUNED', { value: v });
    const detail = (await api('GET', '/PRUNED')).json();
    expect(detail).toMatchObject({ current_version: 4, version_count: 2, max_versions: 2 });
    expect(detail.versions.map((v: { version: number }) => v.version)).toEqual([4, 3]);
    expect(((await reveal('PRUNED', 1)) as { statusCode: number }).statusCode).toBe(404);
    expect(await reveal('PRUNED', 3)).toBe('p-3');
  });

  it('soft-deletes and restores; a deleted secret does not resolve and its name is not reusable', async () => {
    await create('DELETED_ONE', 'd-1');
    expect((await api('DELETE', '/DELETED_ONE')).statusCode).toBe(204);
    expect((await api('DELETE', '/DELETED_ONE')).statusCode).toBe(404);
    expect((await api('GET', '?limit=500')).json().items.map((s: { name: string }) => s.name)).not.toContain('DELETED_ONE');
    expect((await api('GET', '?limit=500&include_deleted=true')).json().items.map((s: { name: string }) => s.name)).toContain('DELETED_ONE');
    expect((await api('GET', '/DELETED_ONE')).json().deleted_at).not.toBeNull();
    expect(((await reveal('DELETED_ONE')) as { statusCode: number }).statusCode).toBe(404);
    await expect(t.ctx.secrets.resolve('x=${secret:DELETED_ONE}')).rejects.toThrow("Secret 'DELETED_ONE' not found");
    expect((await create('DELETED_ONE', 'again')).json()).toMatchObject({ status: 409, detail: "Secret 'DELETED_ONE' exists but is deleted; restore it first" });
    await expect(t.ctx.secrets.set('DELETED_ONE', 'again', localCaller('cli', 'test'))).rejects.toThrow('restore it first');

    const restored = await api('POST', '/DELETED_ONE/restore');
    expect(restored.statusCode).toBe(200);
    expect(restored.json().deleted_at).toBeNull();
    expect(await reveal('DELETED_ONE')).toBe('d-1');
    expect((await api('POST', '/DELETED_ONE/restore')).statusCode).toBe(409);
  });

  it('destroys a version for good, but not the current one', async () => {
    await create('DESTROYED', 'x-1');
    await api('PUT', '/DESTROYED', { value: 'x-2' });
    expect((await api('DELETE', '/DESTROYED/versions/2')).statusCode).toBe(409);
    expect((await api('DELETE', '/DESTROYED/versions/7')).statusCode).toBe(404);
    expect((await api('DELETE', '/DESTROYED/versions/1')).statusCode).toBe(204);
    expect((await api('GET', '/DESTROYED')).json().versions[1]).toMatchObject({ version: 1, state: 'destroyed', destroyed_at: expect.any(String) });
    expect(((await reveal('DESTROYED', 1)) as { json(): { detail: string } }).json().detail).toBe("Secret 'DESTROYED' version 1 was destroyed");
    expect(await reveal('DESTROYED')).toBe('x-2');
  });

  it('resolves ${secret:NAME} and ${secret:NAME#V} at the moment of use; an unknown secret is an error naming it', async () => {
    await create('DB_PASSWORD', 'pw-1');
    await api('PUT', '/DB_PASSWORD', { value: 'pw-2' });
    const config = { env: { DB: 'postgres://u:${secret:DB_PASSWORD}@h/db', OLD: '${secret:DB_PASSWORD#1}', LITERAL: '$${secret:NOT_A_REF}' }, args: ['--x'] };
    expect(await t.ctx.secrets.resolve(config)).toEqual({ env: { DB: 'postgres://u:pw-2@h/db', OLD: 'pw-1', LITERAL: '${secret:NOT_A_REF}' }, args: ['--x'] });
    await expect(t.ctx.secrets.resolve({ env: { A: '${secret:DB_PASSWORD}', B: '${secret:NO_SUCH_SECRET}' } })).rejects.toThrow("Secret 'NO_SUCH_SECRET' not found (referenced by env.B)");
    const rows = (await operations('DB_PASSWORD')).filter((r) => r.action === 'secret.resolve');
    expect(rows.map((r) => [r.actor_type, r.outcome])).toEqual([['system', 'success']]);
    expect(JSON.parse(rows[0]!.details!)).toMatchObject({ secrets: ['DB_PASSWORD', 'DB_PASSWORD#1'] });
  });

  it('is in the OpenAPI document with its security', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    for (const p of ['/api/v1/secrets', '/api/v1/secrets/{name}', '/api/v1/secrets/{name}/reveal', '/api/v1/secrets/{name}/rotate', '/api/v1/secrets/{name}/restore', '/api/v1/secrets/{name}/versions/{version}'])
      expect(doc.paths, p).toHaveProperty([p]);
    expect(doc.paths['/api/v1/secrets/{name}/reveal'].post.security).toBeDefined();
  });
});
