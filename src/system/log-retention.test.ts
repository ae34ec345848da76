import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createLogsRepository } from '../logs/logs.repository.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY).toISOString();

let t: TestApp;
let admin: { authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
  const repo = createLogsRepository(t.ctx.db);
  const system = (time: string, msg: string) => ({ time, level: 'warn', level_num: 40, msg, context: null, request_id: null });
  await repo.insertSystem([system(daysAgo(40), 'old-system'), system(daysAgo(10), 'recent-system')]);
  const op = (time: string, action: string) => ({
    time, actor_type: 'system' as const, actor_id: null, actor_name: 'test', action, target_type: null, target_id: null,
    outcome: 'success' as const, status_code: null, ip: null, request_id: null, details: null,
  });
  await repo.insertOperation(op(daysAgo(400), 'old.operation'));
  await repo.insertOperation(op(daysAgo(100), 'recent.operation'));
  const mcp = (time: string, id: string) => ({ time, server: 'x', caller: null, session_id: null, direction: 'out' as const, method: 'tools/call', jsonrpc_id: id, duration_ms: null, outcome: null, error_code: null, size: 2, payload: '{}' });
  await t.ctx.db.insertInto('mcp_logs').values([mcp(daysAgo(20), '1'), mcp(daysAgo(5), '2'), mcp(daysAgo(1), '3')]).execute();
  t.ctx.system.start();
});
afterAll(async () => t.close());

const count = async (table: 'system_logs' | 'operation_logs' | 'mcp_logs', column: 'msg' | 'action' | 'jsonrpc_id', value: string) => {
  const rows = await t.ctx.db.selectFrom(table).select('id').where(column, '=', value).execute();
  return rows.length;
};
const put = (payload: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/api/v1/system/config', headers: admin, payload });

describe('log retention from the runtime settings', () => {
  it('the hourly pass keeps system entries for 30 days and operations for 365 by default', async () => {
    await waitFor(async () => (await count('system_logs', 'msg', 'old-system')) === 0, 20_000, 'the 40-day-old system entry to go');
    await waitFor(async () => (await count('operation_logs', 'action', 'old.operation')) === 0, 20_000, 'the 400-day-old operation to go');
    expect(await count('system_logs', 'msg', 'recent-system')).toBe(1);
    expect(await count('operation_logs', 'action', 'recent.operation')).toBe(1);
  });

  it('a shorter retention is applied at once when it is changed', async () => {
    expect((await put({ 'logs.system.retention_days': 7, 'logs.operations.retention_days': 90 })).statusCode).toBe(200);
    await waitFor(async () => (await count('system_logs', 'msg', 'recent-system')) === 0, 20_000, 'the 10-day-old system entry to go');
    await waitFor(async () => (await count('operation_logs', 'action', 'recent.operation')) === 0, 20_000, 'the 100-day-old operation to go');
  });

  it('protocol log: by age and by row count, at once', async () => {
    expect((await put({ 'logs.mcp.retention_days': 10 })).statusCode).toBe(200);
    await waitFor(async () => (await count('mcp_logs', 'jsonrpc_id', '1')) === 0, 20_000, 'the 20-day-old protocol entry to go');
    expect(await count('mcp_logs', 'jsonrpc_id', '2')).toBe(1);
    expect((await put({ 'logs.mcp.max_rows': 1 })).statusCode).toBe(200);
    await waitFor(async () => (await count('mcp_logs', 'jsonrpc_id', '2')) === 0, 20_000, 'all but the newest protocol entry to go');
    expect(await count('mcp_logs', 'jsonrpc_id', '3')).toBe(1);
  });
});
