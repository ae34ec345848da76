import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createTestContext } from '../../test/helpers/test-context.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { backupSettingDefaults, bindBackupSchedule } from './backup-settings.js';
import { createSettingsRepository } from './settings.repository.js';
import { createSettingsService } from './settings.service.js';

let t: TestApp;
let admin: { authorization: string };

beforeAll(async () => {
  t = await createTestApp({ MCP_MAX_RETRIES: '4', MCPS_METRICS_TOKEN: 'scrape-token-0123456789' });
  admin = await t.login();
});
afterAll(async () => t.close());

const get = (headers = admin) => t.app.inject({ url: '/api/v1/system/config', headers });
const put = (payload: unknown, headers = admin) => t.app.inject({ method: 'PUT', url: '/api/v1/system/config', headers, payload: payload as object });
const runtime = async () => {
  const res = await get();
  expect(res.statusCode, res.body).toBe(200);
  return Object.fromEntries(res.json().runtime.map((s: { key: string }) => [s.key, s])) as Record<string, { value: unknown; source: string; default: unknown; updated_by: string | null }>;
};
const settingsRows = async () => t.ctx.db.selectFrom('settings').selectAll().execute();

describe('GET /system/config', () => {
  it('lists runtime settings with value, default and source, and restart-only settings with secrets masked', async () => {
    const res = await get(await t.as('operator'));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const byKey = Object.fromEntries(body.runtime.map((s: { key: string }) => [s.key, s]));
    expect(byKey['mcp.max_retries']).toMatchObject({ value: 4, default: 4, source: 'env', env: 'MCP_MAX_RETRIES' });
    expect(byKey['log.level']).toMatchObject({ value: 'info', source: 'default' });
    // Its default comes from BACKUP_SCHEDULE (daily at 03:00 when unset).
    expect(byKey['backup.schedule']).toMatchObject({ value: '0 3 * * *', source: 'default', env: 'BACKUP_SCHEDULE' });
    const restart = Object.fromEntries(body.restart_required.map((s: { name: string }) => [s.name, s]));
    expect(restart['PORT']).toMatchObject({ value: 8000, source: 'default', secret: false, runtime_setting: null });
    expect(restart['MCP_MAX_RETRIES']).toMatchObject({ value: 4, source: 'env', runtime_setting: 'mcp.max_retries' });
    expect(restart['ENVIRONMENT']).toMatchObject({ value: 'test', source: 'env' });
    expect(restart['MCPS_ADMIN_PASSWORD']).toMatchObject({ value: '********', secret: true });
    expect(restart['MCPS_METRICS_TOKEN']).toMatchObject({ value: '********', secret: true });
    expect(restart['SECRET_KEY']).toMatchObject({ value: null, secret: true });
    expect(restart['MCPS_SECRET_MAX_VERSIONS']).toMatchObject({ value: 10, secret: false });
    expect(res.body).not.toContain('admin-password-for-tests');
    expect(res.body).not.toContain('scrape-token-0123456789');
    expect(res.body).not.toContain(t.config.secretKey);
  });

  it('is refused to viewers (403) and to anonymous callers (401)', async () => {
    expect((await get(await t.as('viewer'))).statusCode).toBe(403);
    const anon = await t.app.inject({ url: '/api/v1/system/config' });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['content-type']).toContain('application/problem+json');
  });
});

describe('PUT /system/config: validation', () => {
  it.each([
    [{ 'log.level': 'loud' }, 'body.log.level'],
    [{ 'mcp.max_retries': -1 }, 'body.mcp.max_retries'],
    [{ 'mcp.timeout_seconds': '30' }, 'body.mcp.timeout_seconds'],
    [{ 'cors.origins': ['https://ok.example', 'https://bad.example/path'] }, 'body.cors.origins.1'],
    [{ 'cors.origins': ['javascript:alert(1)'] }, 'body.cors.origins.0'],
    [{ 'backup.schedule': 'every day' }, 'body.backup.schedule'],
    [{ 'backup.schedule': '*/5 * * * * *' }, 'body.backup.schedule'],
    [{ 'backup.schedule': '0 0 31 2 *' }, 'body.backup.schedule'],
    [{ 'backup.keep_count': 1.5 }, 'body.backup.keep_count'],
    [{ PORT: 9000 }, 'body.PORT'],
    [{ 'no.such.key': 1 }, 'body.no.such.key'],
  ])('%j is refused with 400 problem+json naming %s, and nothing is stored', async (payload, field) => {
    const before = await settingsRows();
    const res = await put({ 'log.level': 'warn', ...payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('validation');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    // All or nothing: the valid log.level beside it was not applied either.
    expect(await settingsRows()).toEqual(before);
    expect(t.ctx.log.level).toBe('info');
  });

  it.each([[['log.level']], ['debug'], [42]])('a body that is not an object (%j) is refused with 400', async (payload) => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/system/config', headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('an empty change is refused', async () => {
    const res = await put({});
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'body', message: 'give at least one setting' }]);
  });

  it('reports every problem in one answer: an unknown key, a restart-only one and a bad value', async () => {
    const res = await put({ 'no.such.key': 1, PORT: 9000, 'log.level': 'loud' });
    expect(res.statusCode).toBe(400);
    const errors = res.json().errors as Array<{ field: string; message: string }>;
    expect(errors.map((e) => e.field).sort()).toEqual(['body.PORT', 'body.log.level', 'body.no.such.key']);
    expect(errors.find((e) => e.field === 'body.no.such.key')!.message).toContain('unknown setting');
    expect(errors.find((e) => e.field === 'body.PORT')!.message).toContain('cannot change at run time');
    expect(res.json().detail).toContain('body.no.such.key');
  });

  it('a key every object has (constructor, toString, __proto__) is an unknown setting, not a 500', async () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
      const res = await put({ [key]: '1e999' });
      expect(res.statusCode, key).toBe(400);
      expect(res.json().errors[0].message).toContain('unknown setting');
    }
    const proto = await t.app.inject({ method: 'PUT', url: '/api/v1/system/config', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"__proto__": {"log.level": "debug"}}' });
    expect(proto.statusCode).toBeGreaterThanOrEqual(400);
    expect(proto.statusCode).toBeLessThan(500);
  });

  it('explains that a restart-only setting belongs in the environment', async () => {
    const res = await put({ DATABASE_URL: 'sqlite:///x.db' });
    expect(res.json().detail).toContain('cannot change at run time');
  });

  it('a cron expression error says what is wrong', async () => {
    const res = await put({ 'backup.schedule': '0 3 * *' });
    expect(res.json().errors[0].message).toMatch(/not a valid cron expression/);
  });

  it('is refused to operators (403) and the app keeps serving', async () => {
    const res = await put({ 'log.level': 'debug' }, await t.as('operator'));
    expect(res.statusCode).toBe(403);
    expect((await get()).statusCode).toBe(200);
  });
});

describe('PUT /system/config: applied at once, stored, audited', () => {
  it('log level: the logger writes debug lines right after the change, and stops after the reset', async () => {
    const res = await put({ 'log.level': 'debug' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changes).toEqual([{ key: 'log.level', old: 'info', new: 'debug' }]);
    expect(t.ctx.log.level).toBe('debug');
    t.ctx.log.debug({ marker: 'settings-debug-marker' }, 'debug line after the change');
    const logFiles = () => readdirSync(path.dirname(t.config.logFile)).filter((f) => f.endsWith('.log') && f !== 'current.log');
    const logged = () => logFiles().some((f) => readFileSync(path.join(path.dirname(t.config.logFile), f), 'utf8').includes('settings-debug-marker'));
    await waitFor(logged, 15_000, 'the debug line in the log file');

    const reset = await put({ 'log.level': null });
    expect(reset.json().changes).toEqual([{ key: 'log.level', old: 'debug', new: 'info' }]);
    expect(t.ctx.log.level).toBe('info');
    expect((await runtime())['log.level']).toMatchObject({ value: 'info', source: 'default' });
  });

  it('CORS origins: a preflight from a newly allowed origin is answered at once, and refused after removal', async () => {
    const preflight = () =>
      t.app.inject({ method: 'OPTIONS', url: '/api/v1/users', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } });
    expect((await preflight()).headers['access-control-allow-origin']).toBeUndefined();
    expect((await put({ 'cors.origins': ['http://localhost:5173'] })).statusCode).toBe(200);
    const ok = await preflight();
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect((await put({ 'cors.origins': [] })).statusCode).toBe(200);
    expect((await preflight()).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('MCP defaults: a server created after the change gets the new retry budget and timeout', async () => {
    expect((await put({ 'mcp.max_retries': 9, 'mcp.timeout_seconds': 42 })).statusCode).toBe(200);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tools',
      headers: admin,
      payload: { name: 'defaults-check', transport: 'stdio', command: process.execPath, args: ['-e', '0'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ max_retries: 9, timeout_ms: 42_000 });
  });

  it('writes one operation-log row with old and new values', async () => {
    const res = await put({ 'backup.schedule': '30 2 * * *', 'backup.keep_count': 14 });
    expect(res.statusCode, res.body).toBe(200);
    // Applied at once to the platform's own backup scheduler.
    expect(t.ctx.backups.scheduler.settings()).toMatchObject({ schedule: '30 2 * * *', keepCount: 14 });
    const ops = await t.app.inject({ url: '/api/v1/logs/operations?action=system.config.update&limit=50', headers: admin });
    const rows = ops.json().items.filter((r: { request_id: string }) => r.request_id === res.headers['x-request-id']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_name: 'admin', outcome: 'success', target_type: 'settings' });
    expect(rows[0].details.changes).toEqual([
      { key: 'backup.schedule', old: '0 3 * * *', new: '30 2 * * *' },
      { key: 'backup.keep_count', old: 7, new: 14 },
    ]);
    const failed = await put({ 'backup.keep_days': -3 });
    const failure = (await t.app.inject({ url: '/api/v1/logs/operations?action=system.config.update&outcome=failure', headers: admin })).json().items;
    expect(failure.map((r: { request_id: string }) => r.request_id)).toContain(failed.headers['x-request-id']);
  });

  it('backup settings reach a subscribed scheduler at once, with defaults from the BACKUP_* variables', async () => {
    const other = await createTestContext(t.database.url);
    try {
      const updates: unknown[] = [];
      const settings = createSettingsService({
        repo: createSettingsRepository(other.ctx.db),
        config: other.config,
        log: other.ctx.log,
        defaults: backupSettingDefaults({ schedule: '0 4 * * *', keepCount: 3, keepDays: 9 }),
      });
      await settings.load();
      // Values stored earlier in this file win over the defaults; keep_days was never set.
      const off = bindBackupSchedule(settings, { update: (s) => updates.push(s) });
      expect(updates).toEqual([{ schedule: '30 2 * * *', keepCount: 14, keepDays: 9 }]);
      expect(settings.list().find((s) => s.key === 'backup.keep_days')).toMatchObject({ value: 9, env: 'BACKUP_KEEP_DAYS', source: 'default' });
      await settings.update({ 'backup.schedule': null, 'backup.keep_days': 60 }, { actor: { type: 'cli', name: 'test' } });
      expect(updates.at(-1)).toEqual({ schedule: '0 4 * * *', keepCount: 14, keepDays: 60 });
      off();
      await settings.update({ 'backup.keep_days': null }, { actor: { type: 'cli', name: 'test' } });
      // One at bind, one per changed key; none after unsubscribing.
      expect(updates).toHaveLength(3);
    } finally {
      await other.dispose();
    }
  });

  it('stored values survive a restart, and another instance on the same database follows a change', async () => {
    expect((await put({ 'logs.system.retention_days': 12 })).statusCode).toBe(200);
    const other = await createTestContext(t.database.url, { MCP_MAX_RETRIES: '4' });
    try {
      expect(other.ctx.system.settings.get('logs.system.retention_days')).toBe(12);
      expect(other.ctx.system.settings.get('backup.keep_count')).toBe(14);
      const seen: unknown[] = [];
      other.ctx.system.settings.onChange('logs.system.retention_days', (v) => seen.push(v));
      expect((await put({ 'logs.system.retention_days': 20 })).statusCode).toBe(200);
      await other.ctx.system.settings.refresh();
      expect(seen).toEqual([20]);
      const view = (await runtime())['logs.system.retention_days'];
      expect(view).toMatchObject({ value: 20, source: 'database', updated_by: 'admin' });
    } finally {
      await other.dispose();
    }
  });
});
