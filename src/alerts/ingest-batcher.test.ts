import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { connect, type DbHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import type { AlertReceiverRow } from './alerts.table.js';
import { createIngestBatcher } from './ingest-batcher.js';
import type { IncomingAlert } from './webhook-payloads.js';

const receiver: AlertReceiverRow = {
  id: 'r1', name: 'am', kind: 'alertmanager', token_ref: null, hmac_ref: null, signature_header: 'x-signature', timestamp_header: null,
  tolerance_seconds: 300, mapping: null, enabled: 1, description: null, created_at: '', updated_at: '',
};
const alert = (fingerprint: string, status: 'firing' | 'resolved', startsAt = '2026-12-01T00:00:00.000Z'): IncomingAlert => ({
  status, labels: { alertname: fingerprint }, annotations: {}, startsAt, endsAt: status === 'resolved' ? '2026-12-01T01:00:00.000Z' : null, generatorURL: null, fingerprint, extra: null,
});

let database: TestDatabase;
let handle: DbHandle;
beforeAll(async () => {
  database = await createTestDatabase();
  handle = connect(database.url);
  await migrateToLatest(handle.db);
});
afterAll(async () => {
  await handle.close();
  await database.drop();
});

describe('group commit of webhook bodies', () => {
  it('answers each of the bodies posted together as if they had been stored one after the other', async () => {
    const batcher = createIngestBatcher(handle.db);
    const now = '2026-12-01T00:05:00.000Z';
    const results = await Promise.all([
      batcher.ingest({ receiver, alerts: [alert('a', 'firing'), alert('b', 'firing')], now }),
      batcher.ingest({ receiver, alerts: [alert('b', 'firing'), alert('c', 'firing')], now }),
      batcher.ingest({ receiver, alerts: [alert('a', 'resolved'), alert('a', 'resolved')], now }),
      // Sent without a start: the first opens an episode at its receipt, the second is that episode.
      batcher.ingest({ receiver, alerts: [{ ...alert('d', 'firing'), startsAt: '' }], now }),
      batcher.ingest({ receiver, alerts: [{ ...alert('d', 'firing'), startsAt: '' }], now: '2026-12-01T00:06:00.000Z' }),
    ]);
    expect(results.map((r) => [r.stored, r.resolved, r.duplicates])).toEqual([[2, 0, 0], [1, 0, 1], [0, 1, 1], [1, 0, 0], [0, 0, 1]]);
    const rows = await handle.db.selectFrom('alerts').select(['fingerprint', 'status', 'received_count', 'starts_at']).orderBy('fingerprint').execute();
    expect(rows.map((r) => [r.fingerprint, r.status, Number(r.received_count)])).toEqual([['a', 'resolved', 3], ['b', 'firing', 2], ['c', 'firing', 1], ['d', 'firing', 2]]);
    expect(rows.find((r) => r.fingerprint === 'd')!.starts_at).toBe(now);
  });

  it('fails only the body that cannot be stored; the others posted with it are committed', async () => {
    const batcher = createIngestBatcher(handle.db);
    const now = '2026-12-02T00:00:00.000Z';
    // A label set that is not JSON-serializable (a BigInt) makes only its own body fail to store.
    const broken = { ...alert('x', 'firing'), labels: { n: 1n } as unknown as Record<string, string> };
    const settled = await Promise.allSettled([
      batcher.ingest({ receiver, alerts: [alert('e', 'firing')], now }),
      batcher.ingest({ receiver, alerts: [alert('f', 'firing'), broken], now }),
      batcher.ingest({ receiver, alerts: [alert('g', 'firing')], now }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await handle.db.selectFrom('alerts').select('fingerprint').where('fingerprint', 'in', ['e', 'f', 'g', 'x']).orderBy('fingerprint').execute();
    expect(stored.map((r) => r.fingerprint)).toEqual(['e', 'g']);
  });
});
