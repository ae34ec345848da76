import { describe, expect, it } from 'vitest';
import { useMigratedDatabase } from '../../test/helpers/migrated-db.js';
import type { NewMcpLogRow } from '../protocol-log/mcp-log.table.js';
import { applyTrafficRetention } from './protocol-log-retention.js';
import { createTrafficRecorder } from './protocol-recorder.js';
import { createTrafficRepository } from './protocol-log.repository.js';

/** The recorder writing into the real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), and retention. */

const handle = useMigratedDatabase();

const row = (time: string, i: number): NewMcpLogRow => ({
  time,
  server: 'r',
  caller: null,
  session_id: null,
  direction: 'out',
  method: 'n',
  jsonrpc_id: String(i),
  duration_ms: null,
  outcome: null,
  error_code: null,
  size: 2,
  payload: '{}',
});

describe('traffic repository', () => {
  it('writes what the recorder records, in batches bigger than one statement', async () => {
    const repo = createTrafficRepository(handle.db);
    const sut = createTrafficRecorder({ insert: (rows) => repo.insertBatch(rows), batchSize: 2500, maxBuffer: 6000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 2600; i++) {
      sut.record('rec', 'out', { jsonrpc: '2.0', id: i, method: 'tools/call', params: { token: 'tok' } }, { caller: 'user:x' });
      sut.record('rec', 'in', { jsonrpc: '2.0', id: i, result: {} });
    }
    await sut.close();
    const rows = await handle.db.selectFrom('mcp_logs').selectAll().where('server', '=', 'rec').orderBy('id').execute();
    expect(rows).toHaveLength(5200);
    expect(rows[1]).toMatchObject({ direction: 'in', method: 'tools/call', caller: 'user:x', outcome: 'ok', jsonrpc_id: '0' });
    expect(rows[0]!.payload).toContain('"token":"[REDACTED]"');
    expect(sut.stats()).toMatchObject({ written: 5200, dropped: 0, failed: 0 });
  });

  it('applies retention by age, then by size (oldest first)', async () => {
    const repo = createTrafficRepository(handle.db);
    await handle.db.deleteFrom('mcp_logs').execute();
    const now = Date.parse('2026-06-01T00:00:00.000Z');
    const day = 24 * 60 * 60 * 1000;
    await repo.insertBatch(Array.from({ length: 50 }, (_, i) => row(new Date(now - (50 - i) * day).toISOString(), i)));
    const r = await applyTrafficRetention(repo, { maxAgeMs: 30 * day, maxRows: 10 }, now);
    expect(r).toEqual({ byAge: 20, bySize: 20 });
    const left = await handle.db.selectFrom('mcp_logs').select('jsonrpc_id').orderBy('id').execute();
    expect(left.map((x) => x.jsonrpc_id)).toEqual(Array.from({ length: 10 }, (_, i) => String(40 + i)));
    expect(await applyTrafficRetention(repo, {}, now)).toEqual({ byAge: 0, bySize: 0 });
  });
});
