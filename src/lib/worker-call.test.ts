import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerRunner, type WorkerRunner } from './worker-call.js';

/** The worker-thread runner: errors come back as their classes, idle threads end, calls in flight are never dropped. */

const PROBE = new URL('../../test/fixtures/workers/thread-probe.ts', import.meta.url).href;
let runner: WorkerRunner;
afterEach(() => runner.close());

describe('createWorkerRunner', () => {
  it('reuses one thread and rebuilds known error classes', async () => {
    runner = createWorkerRunner(PROBE, { errors: { RangeError } });
    const first = await runner.call<number>('whoAmI', []);
    expect(await runner.call<number>('whoAmI', [])).toBe(first);
    await expect(runner.call('fail', ['bad input'])).rejects.toThrow(RangeError);
    expect(await runner.call<number>('whoAmI', [])).toBe(first);
  });

  it('ends an idle thread after idleExitMs and starts a new one on the next call', async () => {
    runner = createWorkerRunner(PROBE, { idleExitMs: 50 });
    const first = await runner.call<number>('whoAmI', []);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = await runner.call<number>('whoAmI', []);
    expect(second).not.toBe(first);
  });

  it('never ends a thread that has a call in flight, and a call racing the idle exit still answers', async () => {
    runner = createWorkerRunner(PROBE, { idleExitMs: 20 });
    const first = await runner.call<number>('whoAmI', []);
    // Longer than idleExitMs: the thread must stay for it.
    expect(await runner.call<number>('whoAmI', [200])).toBe(first);
    // Calls around the moment the idle timer fires all answer.
    const answers: Promise<number>[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3) * 10));
      answers.push(runner.call<number>('whoAmI', []));
    }
    expect((await Promise.all(answers)).every((id) => typeof id === 'number')).toBe(true);
  });

  it('close() fails the calls in flight with a clear error', async () => {
    runner = createWorkerRunner(PROBE, { name: 'probe worker' });
    const slow = runner.call('whoAmI', [5_000]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runner.close();
    await expect(slow).rejects.toThrow(/probe worker stopped/);
  });
});
