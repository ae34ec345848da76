import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../test/helpers/needs.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { connect, type DbHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { createItemClaims, type ItemClaims } from './item-claims.js';
import { createJobsRepository, type JobsRepository } from './jobs.repository.js';

const kinds = (['sqlite', 'postgres'] as const).filter((k) => k === 'sqlite' || needs('postgres'));

describe.each(kinds)('the queue semantics of job items (%s)', (kind) => {
  let database: TestDatabase;
  /** Two instances' views of one database (separate pools, as two processes). */
  let handles: DbHandle[];
  let a: ItemClaims;
  let b: ItemClaims;
  let repo: JobsRepository;
  let n = 0;
  const batchPolicy = { max_attempts: 3, backoff_ms: 300 };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    handles = [connect(database.url), connect(database.url)];
    await migrateToLatest(handles[0]!.db);
    a = createItemClaims(handles[0]!.db);
    b = createItemClaims(handles[1]!.db);
    repo = createJobsRepository(handles[0]!.db);
  });
  afterAll(async () => {
    for (const h of handles ?? []) await h.close();
    await database?.drop();
  });

  async function batch(items: number, concurrency = 10): Promise<string> {
    const id = `b${++n}`;
    const now = new Date().toISOString();
    await repo.insertBatch(
      { id, operation: 'test', params: '{}', status: 'running', concurrency, ...batchPolicy, total: items, creator_type: 'cli', creator_id: null, creator_name: 'cli:test', created_at: now, updated_at: now, finished_at: null },
      Array.from({ length: items }, (_, i) => ({ i })),
    );
    return id;
  }
  const item = async (id: string, seq: number) => (await repo.items(id, seq, 1))[0]!;

  it('two instances claiming the same items at once: exactly one wins each', async () => {
    const id = await batch(40, 100);
    let wonA = 0;
    let wonB = 0;
    for (let seq = 0; seq < 40; seq++) {
      const [ca, cb] = await Promise.all([a.claim(id, seq, 'A', 60_000), b.claim(id, seq, 'B', 60_000)]);
      expect([ca, cb].filter(Boolean), `item ${seq}`).toHaveLength(1);
      if (ca) wonA++;
      else wonB++;
      expect((await item(id, seq)).lease_owner).toBe(ca ? 'A' : 'B');
    }
    expect(wonA + wonB).toBe(40);
  });

  it('a batch never has more live leases than its concurrency; claimable() offers only the room left', async () => {
    const id = await batch(10, 3);
    expect((await a.claimable(100)).filter((r) => r.batchId === id)).toHaveLength(3);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, seq) => (seq % 2 ? a : b).claim(id, seq, seq % 2 ? 'A' : 'B', 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(3);
    expect((await a.claimable(100)).filter((r) => r.batchId === id)).toHaveLength(0);
    const held = claims.find(Boolean)!;
    expect(await a.finish(held, { ok: true, result: 1 }, batchPolicy)).toBe(true);
    expect((await a.claimable(100)).filter((r) => r.batchId === id)).toHaveLength(1);
  });

  it('an expired lease is claimed again; the stale worker can neither renew nor complete: one completion', async () => {
    const id = await batch(1);
    const stale = (await a.claim(id, 0, 'A', 200))!;
    expect(stale.attempt).toBe(1);
    expect(await b.claim(id, 0, 'B', 60_000)).toBeNull();
    let fresh = null;
    await waitFor(async () => (fresh = await b.claim(id, 0, 'B', 60_000)) !== null, 10_000, 'the takeover after expiry');
    expect(fresh!.attempt).toBe(2);
    expect(await a.renew(stale, 60_000)).toBe(false);
    expect(await b.finish(fresh!, { ok: true, result: { by: 'B' } }, batchPolicy)).toBe(true);
    expect(await a.finish(stale, { ok: true, result: { by: 'A' } }, batchPolicy)).toBe(false);
    expect(await b.finish(fresh!, { ok: true, result: { by: 'B again' } }, batchPolicy)).toBe(false);
    const row = await item(id, 0);
    expect(row).toMatchObject({ status: 'done', completions: 1, attempts: 2, lease_owner: null });
    expect(JSON.parse(row.result!)).toEqual({ by: 'B' });
    expect(await a.claim(id, 0, 'A', 60_000)).toBeNull();
  });

  it('a failed attempt waits out an exponential backoff, then fails for good after max_attempts', async () => {
    const id = await batch(1);
    const times: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      let c = null;
      const asked = Date.now();
      await waitFor(async () => (c = await a.claim(id, 0, 'A', 60_000)) !== null, 10_000, `attempt ${attempt}`);
      times.push(Date.now() - asked);
      expect(c!.attempt).toBe(attempt);
      expect(await a.finish(c!, { ok: false, error: `boom ${attempt}`, retry: true }, batchPolicy)).toBe(true);
    }
    // Backoff 300 ms then 600 ms (with polling slack); the first claim was immediate.
    expect(times[1]).toBeGreaterThanOrEqual(250);
    expect(times[2]).toBeGreaterThanOrEqual(550);
    expect(times[2]!).toBeGreaterThan(times[1]!);
    expect(await item(id, 0)).toMatchObject({ status: 'failed', attempts: 3, error: 'boom 3', completions: 0 });
    expect(await repo.settle(id, new Date().toISOString())).toBe('failed');
  });

  it('a permanent failure is not retried', async () => {
    const id = await batch(1);
    const c = (await a.claim(id, 0, 'A', 60_000))!;
    expect(await a.finish(c, { ok: false, error: 'forbidden', retry: false }, batchPolicy)).toBe(true);
    expect(await item(id, 0)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('cancel: waiting and running items end cancelled, nothing more is claimed, a running worker cannot complete', async () => {
    const id = await batch(5);
    const running = (await a.claim(id, 0, 'A', 60_000))!;
    expect(await repo.cancel(id, new Date().toISOString())).toBe(true);
    expect(await repo.cancel(id, new Date().toISOString())).toBe(false);
    expect(await b.claim(id, 1, 'B', 60_000)).toBeNull();
    expect(await a.renew(running, 60_000)).toBe(false);
    expect(await a.finish(running, { ok: true, result: 1 }, batchPolicy)).toBe(false);
    expect(await repo.counts(id)).toEqual({ pending: 0, running: 0, done: 0, failed: 0, cancelled: 5 });
    expect(await repo.statusOf(id)).toBe('cancelled');
    expect((await a.claimable(100)).filter((r) => r.batchId === id)).toEqual([]);
  });

  it('a released item (platform stopping) is pending again at once, its attempt not counted', async () => {
    const id = await batch(1);
    const c = (await a.claim(id, 0, 'A', 60_000))!;
    expect(await a.release(c)).toBe(true);
    expect(await item(id, 0)).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null });
    expect((await b.claim(id, 0, 'B', 60_000))!.attempt).toBe(1);
  });
});
