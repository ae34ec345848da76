import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { useMigratedDatabase } from '../../test/helpers/migrated-db.js';
import { testDatabaseKind } from '../../test/helpers/test-db.js';
import { runningWorkers } from '../lib/worker-call.js';
import { createProtocolLog } from './protocol-log.js';

/**
 * Where the protocol log's batches are written: on a SQLite file, a thread of its own with its own
 * connection (what it writes is what the platform's connection reads, counts included); on
 * PostgreSQL, the event loop's pool.
 */

const handle = useMigratedDatabase();
const threaded = testDatabaseKind() === 'sqlite';

const call = (log: ReturnType<typeof createProtocolLog>, server: string, id: number) => {
  log.recorder.record(server, 'out', { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { password: 'hunter2' } } }, { caller: 'user:w' });
  log.recorder.record(server, 'in', { jsonrpc: '2.0', id, result: { content: [] } });
};

describe('protocol log writer', () => {
  it('writes each batch whole, readable at once by the platform connection, counts included', async () => {
    const errors = vi.fn();
    const written = vi.fn();
    const before = runningWorkers();
    const log = createProtocolLog({ db: handle.db, log: { info: () => {}, error: errors }, onWritten: written, recorder: { flushIntervalMs: 60_000 } });
    for (let i = 0; i < 300; i++) call(log, 'w1', i);
    await log.recorder.flush();
    expect(runningWorkers()).toBe(before + (threaded ? 1 : 0));
    const rows = await handle.db.selectFrom('mcp_logs').selectAll().where('server', '=', 'w1').orderBy('id').execute();
    expect(rows).toHaveLength(600);
    expect(rows[1]).toMatchObject({ direction: 'in', method: 'tools/call', caller: 'user:w', outcome: 'ok', jsonrpc_id: '0' });
    expect(rows[0]!.payload).toContain('"password":"[REDACTED]"');
    const counts = await handle.db.selectFrom('log_counts').select(['key', 'count']).where('type', '=', 'mcp').where('server', '=', 'w1').orderBy('key').execute();
    expect(counts.map((c) => [c.key, Number(c.count)])).toEqual([['none', 300], ['ok', 300]]);
    expect(written).toHaveBeenCalled();
    await log.close();
    expect(runningWorkers()).toBe(before);
    expect(errors).not.toHaveBeenCalled();
  });

  it('a batch the database refuses is counted as failed and logged; the next batches are written', async () => {
    const errors = vi.fn();
    const log = createProtocolLog({ db: handle.db, log: { info: () => {}, error: errors }, recorder: { flushIntervalMs: 60_000 } });
    const batch = (from: number) => {
      for (let i = from; i < from + 40; i++) call(log, 'w2', i);
    };
    batch(0);
    await log.recorder.flush();
    await sql`alter table mcp_logs rename to mcp_logs_away`.execute(handle.db);
    try {
      batch(100);
      await log.recorder.flush();
    } finally {
      await sql`alter table mcp_logs_away rename to mcp_logs`.execute(handle.db);
    }
    expect(log.recorder.stats()).toMatchObject({ written: 80, failed: 80 });
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), 'protocol log: a batch could not be written');
    batch(200);
    await log.close();
    const ids = await handle.db.selectFrom('mcp_logs').select('jsonrpc_id').where('server', '=', 'w2').execute();
    const written = new Set(ids.map((r) => Number(r.jsonrpc_id)));
    expect(ids).toHaveLength(160);
    expect([...written].sort((a, b) => a - b)).toEqual([...Array.from({ length: 40 }, (_, i) => i), ...Array.from({ length: 40 }, (_, i) => 200 + i)]);
  });

  it('writes small batches (an idle platform\'s health pings) without starting the thread; records nothing after close', async () => {
    const before = runningWorkers();
    const log = createProtocolLog({ db: handle.db, log: { info: () => {}, error: () => {} } });
    call(log, 'w3', 1);
    await log.recorder.flush();
    expect(runningWorkers()).toBe(before);
    await log.close();
    call(log, 'w3', 2);
    await log.close();
    const n = await handle.db.selectFrom('mcp_logs').select((eb) => eb.fn.countAll<number>().as('n')).where('server', '=', 'w3').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(2);
  });
});
