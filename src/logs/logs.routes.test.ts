import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createTrafficRepository } from '../protocol-log/protocol-log.repository.js';

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
});
afterAll(async () => t.close());

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('operation (audit) log', () => {
  it('records every mutating call with who, action, target, outcome, IP and request id — never the body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { username: 'audited', password: 'audited-password-secret', role: 'viewer' } });
    const userId = res.json().id;
    const page = (await t.app.inject({ url: '/api/v1/logs/operations?action=user.create', headers: admin })).json();
    const entry = page.items.find((e: { target_id: string }) => e.target_id === userId);
    expect(entry).toMatchObject({
      actor_type: 'user',
      actor_name: 'admin',
      action: 'user.create',
      target_type: 'user',
      outcome: 'success',
      status_code: 201,
      ip: '127.0.0.1',
      request_id: res.headers['x-request-id'],
    });
    const all = await t.ctx.db.selectFrom('operation_logs').selectAll().execute();
    expect(JSON.stringify(all)).not.toContain('audited-password-secret');
  });

  it('records failures too (a forbidden attempt and a failed login)', async () => {
    const viewer = await t.as('viewer');
    await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: viewer, payload: { username: 'x1y', password: 'whatever-password', role: 'admin' } });
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'not-the-password' } });
    const page = (await t.app.inject({ url: '/api/v1/logs/operations?outcome=failure', headers: admin })).json();
    expect(page.items.some((e: any) => e.action === 'user.create' && e.status_code === 403 && e.actor_type === 'user')).toBe(true);
    expect(page.items.some((e: any) => e.action === 'auth.login' && e.status_code === 401 && e.target_id === 'admin')).toBe(true);
  });

  it('filters by actor and time range', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const page = (await t.app.inject({ url: `/api/v1/logs/operations?actor=admin&since=${encodeURIComponent(since)}`, headers: admin })).json();
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((e: any) => e.actor_name === 'admin' && e.time >= since)).toBe(true);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await t.app.inject({ url: `/api/v1/logs/operations?since=${encodeURIComponent(future)}`, headers: admin })).json().items).toEqual([]);
  });

  it('rejects since >= until and unknown filters with 400', async () => {
    const now = new Date().toISOString();
    expect((await t.app.inject({ url: `/api/v1/logs/operations?since=${now}&until=${now}`, headers: admin })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/logs/operations?colour=red', headers: admin })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/logs/system?level=loud', headers: admin })).statusCode).toBe(400);
  });
});

describe('system log', () => {
  it('stores warn-and-above entries in the database (batched) and in the log file, queryable by level and text', async () => {
    t.ctx.log.warn({ component: 'test', password: 'must-not-appear' }, 'disk almost full on /var');
    t.ctx.log.info('routine info line that stays out of the database');
    t.ctx.log.error('a failing thing');
    const page = await waitFor(async () => {
      const p = (await t.app.inject({ url: '/api/v1/logs/system?level=warn&q=disk%20almost', headers: admin })).json();
      return p.items.length > 0 ? p : undefined;
    });
    expect(page.items[0]).toMatchObject({ level: 'warn', msg: 'disk almost full on /var', context: { component: 'test', password: '[REDACTED]' } });
    const errors = (await t.app.inject({ url: '/api/v1/logs/system?level=error', headers: admin })).json();
    expect(errors.items.every((e: any) => e.level === 'error' || e.level === 'fatal')).toBe(true);
    const routine = (await t.app.inject({ url: '/api/v1/logs/system?q=routine', headers: admin })).json();
    expect(routine.items).toEqual([]);

    const logDir = t.config.logDir;
    const text = readdirSync(logDir).filter((f) => f.endsWith('.log') && f !== 'current.log').map((f) => readFileSync(path.join(logDir, f), 'utf8')).join('');
    expect(text).toContain('disk almost full');
    expect(text).not.toContain('must-not-appear');
  });

  it('treats % and _ in q literally', async () => {
    t.ctx.log.warn('progress at 100% done');
    t.ctx.log.warn('progress at 1000 done');
    const page = await waitFor(async () => {
      const p = (await t.app.inject({ url: '/api/v1/logs/system?q=100%25', headers: admin })).json();
      return p.items.length > 0 ? p : undefined;
    });
    expect(page.items.map((e: any) => e.msg)).toEqual(['progress at 100% done']);
  });
});

describe('MCP log, stats and cleanup', () => {
  it('lists MCP protocol rows with filters and cursor pagination', async () => {
    const now = Date.now();
    const rows = Array.from({ length: 7 }, (_, i) => ({
      time: new Date(now - i * 1000).toISOString(),
      server: i % 2 ? 'alpha' : 'beta',
      caller: 'user:admin',
      session_id: null,
      direction: 'out' as const,
      method: 'tools/call',
      jsonrpc_id: String(i),
      duration_ms: 5,
      outcome: i === 3 ? ('error' as const) : ('ok' as const),
      error_code: i === 3 ? -32602 : null,
      size: 42,
      payload: `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"echo"}}`,
    }));
    await createTrafficRepository(t.ctx.db).insertBatch(rows);
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/logs/mcp?server=alpha&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const p = (await t.app.inject({ url, headers: admin })).json();
      ids.push(...p.items.map((r: any) => r.id));
      expect(p.items.every((r: any) => r.server === 'alpha')).toBe(true);
      cursor = p.next_cursor;
    } while (cursor);
    expect(ids).toHaveLength(3);
    expect((await t.app.inject({ url: '/api/v1/logs/mcp?outcome=error', headers: admin })).json().items).toHaveLength(1);
  });

  it('counts per hour by type and level/outcome', async () => {
    const stats = (await t.app.inject({ url: '/api/v1/logs/stats?bucket=hour&days=1', headers: admin })).json();
    expect(stats.totals.operations).toBeGreaterThan(0);
    expect(stats.totals.mcp).toBeGreaterThanOrEqual(7);
    expect(stats.mcp.find((r: any) => r.key === 'error').count).toBe(1);
    expect(stats.operations[0].bucket).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}$/);
    const daily = (await t.app.inject({ url: '/api/v1/logs/stats?bucket=day', headers: admin })).json();
    expect(daily.system.every((r: any) => /^\d{4}-\d{2}-\d{2}$/.test(r.bucket))).toBe(true);
  });

  it('cleanup deletes only old entries, is admin only, and is audited', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await createTrafficRepository(t.ctx.db).insertBatch([{ time: old, server: 'gone', caller: null, session_id: null, direction: 'in', method: null, jsonrpc_id: null, duration_ms: null, outcome: null, error_code: null, size: 1, payload: null }]);
    const counted = async () => (await t.app.inject({ url: '/api/v1/logs/stats?bucket=day&days=60', headers: admin })).json().totals.mcp;
    const before = await counted();
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/logs/cleanup?type=mcp&older_than_days=30', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().deleted).toEqual({ system: 0, operations: 0, mcp: 1 });
    expect(await counted()).toBe(before - 1);
    expect((await t.app.inject({ url: '/api/v1/logs/mcp?server=alpha', headers: admin })).json().items).toHaveLength(3);
    const audit = (await t.app.inject({ url: '/api/v1/logs/operations?action=logs.cleanup', headers: admin })).json();
    expect(audit.items[0]).toMatchObject({ outcome: 'success', details: { query: { type: 'mcp', older_than_days: 30 } } });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/logs/cleanup', headers: admin })).statusCode).toBe(400);
  });

  it.each(['', '?older_than_days=', '?older_than_days=soon', '?older_than_days=-1'])('cleanup%s says older_than_days is required, a number of days', async (query) => {
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/logs/cleanup${query}`, headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('older_than_days is required: a whole number of days');
    expect(res.json().detail).not.toContain('NaN');
  });
});
