import { describe, expect, it } from 'vitest';
import { useMigratedDatabase } from '../../test/helpers/migrated-db.js';
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

const handle = useMigratedDatabase();

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

  it('answers repeats of a committed episode without writing its row, and counts them behind', async () => {
    const batcher = createIngestBatcher(handle.db);
    const row = () => handle.db.selectFrom('alerts').select(['status', 'received_count', 'last_received_at']).where('fingerprint', '=', 'r').executeTakeFirstOrThrow();
    await batcher.ingest({ receiver, alerts: [alert('r', 'firing')], now: '2026-12-03T00:00:00.000Z' });
    const results = [];
    for (const at of ['01', '02', '03']) results.push(await batcher.ingest({ receiver, alerts: [alert('r', 'firing')], now: `2026-12-03T00:${at}:00.000Z` }));
    expect(results.map((r) => [r.stored, r.duplicates])).toEqual([[0, 1], [0, 1], [0, 1]]);
    // Committed once; the three repeats wait in memory (a kill -9 would lose only their count).
    expect(await row()).toMatchObject({ received_count: 1, last_received_at: '2026-12-03T00:00:00.000Z' });
    // A resolve is never held back: it closes the row in its own request's transaction.
    expect(await batcher.ingest({ receiver, alerts: [alert('r', 'resolved')], now: '2026-12-03T00:04:00.000Z' })).toMatchObject({ resolved: 1 });
    expect(await row()).toMatchObject({ status: 'resolved', received_count: 2 });
    await batcher.flush();
    expect(await row()).toMatchObject({ status: 'resolved', received_count: 5, last_received_at: '2026-12-03T00:04:00.000Z' });
  });

  it('stores again a held repeat whose row is gone (a restore of an older backup)', async () => {
    const batcher = createIngestBatcher(handle.db);
    await batcher.ingest({ receiver, alerts: [alert('gone', 'firing')], now: '2026-12-04T00:00:00.000Z' });
    await handle.db.deleteFrom('alerts').where('fingerprint', '=', 'gone').execute();
    expect(await batcher.ingest({ receiver, alerts: [alert('gone', 'firing')], now: '2026-12-04T00:01:00.000Z' })).toMatchObject({ duplicates: 1 });
    await batcher.flush();
    const rows = await handle.db.selectFrom('alerts').select(['status', 'first_received_at']).where('fingerprint', '=', 'gone').execute();
    expect(rows).toEqual([{ status: 'firing', first_received_at: '2026-12-04T00:01:00.000Z' }]);
  });

  it('writes held repeats by itself within a second when no other body comes', async () => {
    const batcher = createIngestBatcher(handle.db);
    await batcher.ingest({ receiver, alerts: [alert('idle', 'firing')], now: '2026-12-05T00:00:00.000Z' });
    await batcher.ingest({ receiver, alerts: [alert('idle', 'firing')], now: '2026-12-05T00:01:00.000Z' });
    const count = async () => Number((await handle.db.selectFrom('alerts').select('received_count').where('fingerprint', '=', 'idle').executeTakeFirstOrThrow()).received_count);
    expect(await count()).toBe(1);
    await expect.poll(count, { timeout: 3000, interval: 100 }).toBe(2);
  });
});
