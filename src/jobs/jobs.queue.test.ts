import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_REDIS_URL } from '../../test/components.js';
import { needs } from '../../test/helpers/needs.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { localCaller } from '../secrets/secret-caller.js';
import { createJobsRuntime, type JobsRuntime } from './jobs-runtime.js';
import type { Operation } from './operations/operation.js';

/** The same suite against both queues: the database alone, and BullMQ on Redis (required under CI). */
const modes = (['embedded', 'bullmq'] as const).filter((m) => m === 'embedded' || needs('redis'));
const caller = localCaller('cli', 'cli:test');

/** What the test operation saw: runs per item, by instance, and the most items running at once. */
function recorder() {
  const runs = new Map<number, string[]>();
  const state = { active: 0, maxActive: 0, startedAfterCancel: 0, cancelledAt: 0 };
  const params = z.object({ count: z.number().int(), delayMs: z.number().int().default(30), failFirst: z.number().int().default(0), failAlways: z.array(z.number()).default([]) });
  const operation = (instance: string): Operation<z.infer<typeof params>, { seq: number }> => ({
    name: 'test_op',
    description: 'test',
    params,
    permissions: [],
    expand: async (p) => Array.from({ length: p.count }, (_, seq) => ({ seq })),
    async run(p, { seq }, { signal }) {
      const mine = runs.get(seq) ?? [];
      runs.set(seq, [...mine, instance]);
      if (state.cancelledAt) state.startedAfterCancel++;
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      try {
        await sleep(p.delayMs, undefined, { signal });
      } finally {
        state.active--;
      }
      if (mine.length < p.failFirst || p.failAlways.includes(seq)) throw new Error(`failure of item ${seq} on run ${mine.length + 1}`);
      return { double: seq * 2 };
    },
  });
  return { runs, state, operation };
}

describe.each(modes)('batch jobs on the %s queue', (mode) => {
  let t: TestApp;
  const runtimes: JobsRuntime[] = [];
  beforeAll(async () => {
    t = await createTestApp();
  });
  /** What the runtimes logged as warnings (a failed queue pass, a failed lease renewal): none expected. */
  const warnings: unknown[] = [];
  afterEach(async () => {
    for (const r of runtimes.splice(0)) await r.close();
    expect(warnings.splice(0)).toEqual([]);
  });
  afterAll(async () => t?.close());

  function instance(rec: ReturnType<typeof recorder>, name: string, prefix: string, leaseMs = 2000): JobsRuntime {
    const runtime = createJobsRuntime({
      db: t.ctx.db,
      log: { info: () => {}, error: (o: unknown) => warnings.push(o), warn: (o: unknown) => warnings.push(o) },
      audit: t.ctx.audit,
      operations: new Map([['test_op', rec.operation(name)]]),
      instanceId: name,
      config: { leaseMs, pollMs: 30, concurrency: 8, queuePrefix: prefix, redisUrl: mode === 'bullmq' ? DEFAULT_REDIS_URL : undefined },
    });
    runtimes.push(runtime);
    return runtime;
  }
  const prefix = () => `mcps-test-${randomBytes(4).toString('hex')}`;
  const settled = (r: JobsRuntime, id: string) => waitFor(async () => (await r.service.get(id, { offset: 0, limit: 1 }, caller)).status !== 'running', 30_000, 'the batch to end');
  const items = async (id: string) => t.ctx.db.selectFrom('job_items').selectAll().where('batch_id', '=', id).orderBy('seq').execute();

  it('runs every item once, never more at a time than the batch concurrency, and keeps each result', async () => {
    const rec = recorder();
    const r = instance(rec, 'i1', prefix());
    await r.start();
    expect(r.mode).toBe(mode);
    const b = await r.service.start({ operation: 'test_op', params: { count: 20, delayMs: 40 }, concurrency: 3, max_attempts: 3, backoff_ms: 50 }, caller);
    expect(b.progress).toMatchObject({ total: 20, pending: 20 });
    await settled(r, b.id);
    const done = await r.service.get(b.id, { offset: 0, limit: 500 }, caller);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ total: 20, done: 20, failed: 0 });
    expect(done.items.map((i) => i.result)).toEqual(Array.from({ length: 20 }, (_, seq) => ({ double: seq * 2 })));
    expect(rec.state.maxActive).toBeLessThanOrEqual(3);
    expect(rec.state.maxActive).toBeGreaterThanOrEqual(2);
    expect([...rec.runs.values()].map((v) => v.length)).toEqual(Array(20).fill(1));
    expect((await items(b.id)).every((i) => i.completions === 1)).toBe(true);
  });

  it('retries a failing item with backoff, and fails it (and the batch) after max_attempts', async () => {
    const rec = recorder();
    const r = instance(rec, 'i1', prefix());
    await r.start();
    const b = await r.service.start({ operation: 'test_op', params: { count: 4, delayMs: 5, failFirst: 2, failAlways: [3] }, concurrency: 4, max_attempts: 3, backoff_ms: 100 }, caller);
    await settled(r, b.id);
    const got = await r.service.get(b.id, { offset: 0, limit: 10 }, caller);
    expect(got.status).toBe('failed');
    expect(got.items.map((i) => [i.status, i.attempts])).toEqual([['done', 3], ['done', 3], ['done', 3], ['failed', 3]]);
    expect(got.items[3]!.error).toBe('failure of item 3 on run 3');
    expect((await items(b.id)).map((i) => i.completions)).toEqual([1, 1, 1, 0]);
  });

  it('cancel: no item starts afterwards, running ones stop, the rest is cancelled', async () => {
    const rec = recorder();
    const r = instance(rec, 'i1', prefix());
    await r.start();
    const b = await r.service.start({ operation: 'test_op', params: { count: 30, delayMs: 150 }, concurrency: 2, max_attempts: 1, backoff_ms: 50 }, caller);
    await waitFor(async () => (await r.service.get(b.id, { offset: 0, limit: 1 }, caller)).progress.done >= 2, 20_000, 'two items done');
    const cancelled = await r.service.cancel(b.id, caller);
    rec.state.cancelledAt = Date.now();
    expect(cancelled.status).toBe('cancelled');
    await expect(r.service.cancel(b.id, caller)).rejects.toMatchObject({ code: 'conflict' });
    await sleep(600);
    expect(rec.state.startedAfterCancel).toBe(0);
    expect(rec.state.active).toBe(0);
    const got = await r.service.get(b.id, { offset: 0, limit: 1 }, caller);
    expect(got.progress.pending + got.progress.running).toBe(0);
    expect(got.progress.done).toBeLessThan(10);
    expect(got.progress.cancelled).toBe(30 - got.progress.done);
  });

  it('two instances share a batch: both run items, each item completes once', async () => {
    const rec = recorder();
    const p = prefix();
    const [r1, r2] = [instance(rec, 'i1', p), instance(rec, 'i2', p)];
    await Promise.all([r1.start(), r2.start()]);
    // The batch may run 12 at once, one instance 8 (its `concurrency`): the other must take the rest.
    // (With a batch limit under one instance's, the instance whose item just ended claims the freed
    // slot at once, and on a busy machine the other's poll can miss every slot: CI saw it run none.)
    const b = await r1.service.start({ operation: 'test_op', params: { count: 30, delayMs: 100 }, concurrency: 12, max_attempts: 3, backoff_ms: 50 }, caller);
    await settled(r1, b.id);
    expect((await r2.service.get(b.id, { offset: 0, limit: 1 }, caller)).status).toBe('completed');
    const by = [...rec.runs.values()].flat();
    expect(by).toHaveLength(30);
    expect(by.filter((x) => x === 'i1').length).toBeGreaterThan(0);
    expect(by.filter((x) => x === 'i2').length).toBeGreaterThan(0);
    expect(rec.state.maxActive).toBeLessThanOrEqual(12);
    expect((await items(b.id)).every((i) => i.completions === 1 && i.status === 'done')).toBe(true);
  });

  it('a batch survives a stop: another start resumes it, finished items are not run again', async () => {
    const rec = recorder();
    const p = prefix();
    const r1 = instance(rec, 'i1', p);
    await r1.start();
    const b = await r1.service.start({ operation: 'test_op', params: { count: 16, delayMs: 80 }, concurrency: 2, max_attempts: 3, backoff_ms: 50 }, caller);
    await waitFor(async () => (await r1.service.get(b.id, { offset: 0, limit: 1 }, caller)).progress.done >= 4, 20_000, 'four items done');
    await r1.close();
    const doneBefore = (await items(b.id)).filter((i) => i.status === 'done').map((i) => i.seq);
    expect((await items(b.id)).filter((i) => i.status === 'running')).toEqual([]);
    const r2 = instance(rec, 'i2', p);
    await r2.start();
    await settled(r2, b.id);
    expect((await r2.service.get(b.id, { offset: 0, limit: 1 }, caller)).status).toBe('completed');
    for (const seq of doneBefore) expect(rec.runs.get(seq)).toEqual(['i1']);
    expect((await items(b.id)).every((i) => i.completions === 1)).toBe(true);
  });
});
