import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { rollupAndScan } from '../../test/helpers/log-counts.js';
import { useMigratedDatabase } from '../../test/helpers/migrated-db.js';
import { migrateToLatest, rollbackOne } from '../db/migrator.js';
import { scopeOf } from '../gateway/access/server-access.js';
import type { NewMcpLogRow } from '../protocol-log/mcp-log.table.js';
import { applyTrafficRetention } from '../protocol-log/protocol-log-retention.js';
import { createTrafficRepository } from '../protocol-log/protocol-log.repository.js';
import { createLogsRepository } from './logs.repository.js';
import { createLogsService } from './logs.service.js';
import type { NewOperationLogRow } from './operation-log.table.js';
import type { NewSystemLogRow } from './system-log.table.js';

/** The rollup behind GET /logs/stats equals a count of the logs' rows after every kind of write (SQLite, or PostgreSQL with TEST_DATABASE_URL). */

const handle = useMigratedDatabase();

const HOUR = 60 * 60 * 1000;
const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const at = (minutes: number, from = T0) => new Date(from + minutes * 60_000).toISOString();
const mcp = (time: string, server: string, outcome: 'ok' | 'error' | null): NewMcpLogRow => ({
  time, server, outcome, caller: null, session_id: null, direction: 'in', method: 'tools/call', jsonrpc_id: '1', duration_ms: null, error_code: null, size: 2, payload: '{}',
});
const system = (time: string, level: 'warn' | 'error'): NewSystemLogRow => ({ time, level, level_num: level === 'warn' ? 40 : 50, msg: 'm', context: null, request_id: null });
const operation = (time: string, outcome: 'success' | 'failure'): NewOperationLogRow => ({
  time, outcome, actor_type: 'system', actor_id: null, actor_name: null, action: 'a', target_type: null, target_id: null, status_code: null, ip: null, request_id: null, details: null,
});

const logs = () => createLogsRepository(handle.db);
const traffic = () => createTrafficRepository(handle.db);
async function expectExact(): Promise<void> {
  const { rollup, scan } = await rollupAndScan(handle.db);
  expect(rollup).toEqual(scan);
}
async function emptyAll(): Promise<void> {
  for (const t of ['system_logs', 'operation_logs', 'mcp_logs', 'log_counts'] as const) await handle.db.deleteFrom(t).execute();
}

describe('migration 024', () => {
  it('counts the rows already there; down drops the rollup', async () => {
    expect(await rollbackOne(handle.db)).toEqual(['024-log-counts']);
    await expect(sql`select count(*) from log_counts`.execute(handle.db)).rejects.toThrow();
    await handle.db.insertInto('system_logs').values([system(at(0), 'warn'), system(at(5), 'warn'), system(at(70), 'error')]).execute();
    await handle.db.insertInto('operation_logs').values([operation(at(0), 'success'), operation(at(1), 'failure')]).execute();
    await handle.db.insertInto('mcp_logs').values([mcp(at(0), 'a', 'ok'), mcp(at(1), 'a', null), mcp(at(2), 'b', 'ok'), mcp(at(200), 'a', 'ok')]).execute();
    expect(await migrateToLatest(handle.db)).toEqual(['024-log-counts']);
    const { rollup, scan } = await rollupAndScan(handle.db);
    expect(rollup).toHaveLength(8);
    expect(rollup).toEqual(scan);
  });
});

describe('the rollup stays exact', () => {
  beforeEach(emptyAll);

  it('through inserts of all three logs, retention by age and by size, and cleanup', async () => {
    await logs().insertSystem([system(at(0), 'warn'), system(at(30), 'error'), system(at(61), 'warn'), system(at(-1, Date.now()), 'warn')]);
    for (const [m, o] of [[0, 'success'], [1, 'failure'], [120, 'success']] as const) await logs().insertOperation(operation(at(m), o));
    await logs().insertOperation(operation(at(-1, Date.now()), 'success'));
    // 1,500 hours: more distinct counts than one statement carries.
    const rows = Array.from({ length: 3000 }, (_, i) => mcp(at(i * 30), i % 3 ? 'alpha' : 'beta', i % 5 === 0 ? 'error' : i % 5 === 1 ? null : 'ok'));
    await traffic().insertBatch([...rows, mcp(at(-1, Date.now()), 'alpha', 'ok')]);
    await expectExact();

    expect(await logs().deleteOlderThan('system', at(45))).toBe(2);
    expect(await traffic().deleteOlderThan(at(95))).toBe(4);
    await expectExact();
    expect(await applyTrafficRetention(traffic(), { maxRows: 1001 })).toEqual({ byAge: 0, bySize: 1996 });
    await expectExact();

    const service = createLogsService({ logs: logs(), protocolLog: traffic() });
    expect(await service.cleanup('all', 1)).toEqual({ system: 1, operations: 3, mcp: 1000 });
    await expectExact();
    const { rollup } = await rollupAndScan(handle.db);
    expect(rollup.map((r) => [r.type, r.count])).toEqual([['mcp', 1], ['operations', 1], ['system', 1]]);
  });

  it('under concurrent batches and deletes', async () => {
    const batch = (k: number) => Array.from({ length: 200 }, (_, i) => mcp(at(i + k), `s${i % 4}`, i % 2 ? 'ok' : 'error'));
    await Promise.all([
      ...Array.from({ length: 8 }, (_, k) => traffic().insertBatch(batch(k))),
      ...Array.from({ length: 4 }, (_, k) => logs().insertSystem(Array.from({ length: 50 }, (_, i) => system(at(i + k), 'warn')))),
      traffic().deleteOlderThan(at(100)),
      traffic().keepNewest(500),
    ]);
    await expectExact();
  });

  it('for any sequence of inserts and deletes (property)', async () => {
    const minute = fc.integer({ min: 0, max: 6 * 60 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('mcp' as const), rows: fc.array(fc.tuple(minute, fc.constantFrom('a', 'b', 'c'), fc.constantFrom('ok' as const, 'error' as const, null)), { maxLength: 30 }) }),
      fc.record({ kind: fc.constant('system' as const), rows: fc.array(fc.tuple(minute, fc.constantFrom('warn' as const, 'error' as const)), { maxLength: 10 }) }),
      fc.record({ kind: fc.constant('operation' as const), m: minute, outcome: fc.constantFrom('success' as const, 'failure' as const) }),
      fc.record({ kind: fc.constantFrom('olderMcp' as const, 'olderSystem' as const, 'olderOperations' as const), m: minute }),
      fc.record({ kind: fc.constant('keepNewest' as const), n: fc.integer({ min: 0, max: 40 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
        await emptyAll();
        for (const o of ops) {
          if (o.kind === 'mcp') await traffic().insertBatch(o.rows.map(([m, s, out]) => mcp(at(m), s, out)));
          else if (o.kind === 'system') await logs().insertSystem(o.rows.map(([m, l]) => system(at(m), l)));
          else if (o.kind === 'operation') await logs().insertOperation(operation(at(o.m), o.outcome));
          else if (o.kind === 'olderMcp') await traffic().deleteOlderThan(at(o.m));
          else if (o.kind === 'olderSystem') await logs().deleteOlderThan('system', at(o.m));
          else if (o.kind === 'olderOperations') await logs().deleteOlderThan('operations', at(o.m));
          else if (o.kind === 'keepNewest') await traffic().keepNewest(o.n);
        }
        const { rollup, scan } = await rollupAndScan(handle.db);
        expect(rollup).toEqual(scan);
      }),
      { numRuns: 40 },
    );
  });
});

describe('rollupAndScan (the helper these tests compare with)', () => {
  beforeEach(emptyAll);

  it('reads the rollup and the rows in one snapshot: equal while rows keep arriving (as the system log sink writes them)', async () => {
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await logs().insertSystem([system(at(i), 'warn')]);
    })();
    try {
      for (let i = 0; i < 100; i++) {
        const { rollup, scan } = await rollupAndScan(handle.db);
        expect(rollup).toEqual(scan);
      }
    } finally {
      writing = false;
      await writer;
    }
  });
});

describe('stats from the rollup', () => {
  beforeEach(emptyAll);

  it('per hour and per day, of the servers a caller sees, counting the first hour whole', async () => {
    const now = Date.now();
    const sinceHour = new Date(now - 24 * HOUR).toISOString().slice(0, 13);
    const top = Date.parse(`${sinceHour}:00:00.000Z`);
    await traffic().insertBatch([
      mcp(at(0, top), 'alpha', 'ok'),
      mcp(at(-1, top), 'alpha', 'ok'), // the hour before: not counted
      mcp(at(0, now), 'alpha', 'error'),
      mcp(at(0, now), 'alpha', null),
      mcp(at(0, now), 'beta', 'ok'),
    ]);
    await logs().insertSystem([system(at(0, now), 'warn')]);
    const service = createLogsService({ logs: logs(), protocolLog: traffic() });

    const hourly = await service.stats('hour', 1);
    expect(hourly.since).toBe(`${sinceHour}:00:00.000Z`);
    expect(hourly.totals).toEqual({ system: 1, operations: 0, mcp: 4 });
    const nowHour = new Date(now).toISOString().slice(0, 13);
    expect(hourly.mcp).toEqual([
      { bucket: sinceHour, key: 'ok', count: 1 },
      { bucket: nowHour, key: 'error', count: 1 },
      { bucket: nowHour, key: 'none', count: 1 },
      { bucket: nowHour, key: 'ok', count: 1 },
    ]);

    const alphaOnly = await service.stats('day', 1, scopeOf({ servers: ['al*'], tools: null }, '__'));
    expect(alphaOnly.totals.mcp).toBe(3);
    expect(alphaOnly.mcp.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.bucket))).toBe(true);
    expect((await service.stats('hour', 1, scopeOf({ servers: [], tools: null }, '__'))).totals.mcp).toBe(0);
  });
});
